// Which backbone graph a run uses (models/README.md). A run without a VQ grid in its feeds has only text tokens
// (every prefill and pass of a VQA, chat or grounding job): the text-only graph `backbone_text` computes it
// exactly without the generation branch. An edit's runs carry the source or the canvas grid and keep the mixed
// `backbone`, as does every run of a package exported before the text-only graph.
import type { GraphName } from '../package/manifest.js';
import type { Feeds } from './protocol.js';

const hasGrid = (feeds: Feeds, name: 'edit_vq' | 'gen_vq'): boolean => (feeds[name]?.data.length ?? 0) > 0;

export function backboneGraph(feeds: Feeds, loaded: Partial<Record<GraphName, unknown>>): GraphName {
  const textOnly = !hasGrid(feeds, 'edit_vq') && !hasGrid(feeds, 'gen_vq');
  return textOnly && loaded.backbone_text !== undefined ? 'backbone_text' : 'backbone';
}
