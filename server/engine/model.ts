// A loaded package ready to run: its runtime, tokenizer and the layout facts the pipelines need.
import { join } from 'node:path';
import type { WorkerPool } from './ort/pool.js';
import { PackageRuntime } from './ort/runtime.js';
import type { LoadedPackage } from './package/load.js';
import type { PackageConfig, PackageLayout } from './package/manifest.js';
import { TextTokenizer } from './text/tokenizer.js';

export interface Model {
  id: string;
  config: PackageConfig;
  layout: PackageLayout;
  tokenizer: TextTokenizer;
  runtime: PackageRuntime;
  pool: WorkerPool;
  systemPrompt: boolean; // trained with the system turn
}

export function modelOf(pkg: LoadedPackage, pool: WorkerPool): Model {
  const { config, layout } = pkg.manifest;
  const tokenizer = TextTokenizer.fromFile(join(pkg.dir, 'tokenizer.json'));
  tokenizer.checkLayout(config);
  return {
    id: pkg.id,
    config,
    layout,
    tokenizer,
    pool,
    runtime: new PackageRuntime(config, layout.head_dim),
    systemPrompt: layout.system_prompt !== null,
  };
}
