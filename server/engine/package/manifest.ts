// The manifest.json of a model package (models/README.md, models/manifest.schema.json): the parts the engine
// reads, typed. The schema is the authority; these types only describe what validation guarantees.
import type { ModelConfig } from './model-config.js';

/** `backbone_text`: the text-only backbone, absent from packages exported before it. */
export type GraphName = 'vision' | 'backbone' | 'backbone_text' | 'vq_encode' | 'vq_decode';
export type OptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface TensorSpec {
  name: string;
  dtype: string;
  shape: Array<number | string>;
}

export interface GraphSpec {
  file: string;
  external_data?: string;
  opset: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** The VQA task families a package may have its own answer canvas for (`layout.sampling.canvases`). */
export type VqaTask = 'math' | 'chart' | 'mcq';

export interface TextSamplingDefaults {
  gen_length: number;
  block_length: number;
  steps: number;
  schedule?: 'uniform' | 'shift';
}

export interface PackageLayout {
  template: 'llada';
  system_prompt: string | null;
  answer_lengths: Record<string, number>;
  plan_length: number;
  vq_slots: number;
  loc_slots: number;
  pooled_side: number;
  vq_grid: number;
  image_mask_token_id: number;
  head_dim: number;
  sampling: {
    text?: TextSamplingDefaults;
    canvases?: Record<VqaTask, number>; // answer canvas per task (the one text canvas for every task without it)
    plan?: { steps: number; stop_at_eos?: boolean };
    image?: { steps: number; shift?: number; order?: 'stratified' | 'confidence'; order_seed?: number };
    grounding?: { steps: 1 | 2 | 4 };
  };
}

/** The manifest's model config: the engine-side ModelConfig plus the backbone dimensions. */
export interface PackageConfig extends ModelConfig {
  d_model: number;
  max_sequence_length: number;
  n_layers: number;
  n_kv_heads: number;
  embedding_size: number;
  vq: ModelConfig['vq'] & { num_vq_embeddings: number };
}

export interface Manifest {
  format: 'lavida-onnx-package';
  format_version: 1;
  dtype: 'fp32' | 'fp16' | 'int8';
  config: PackageConfig;
  layout: PackageLayout;
  runtime: { graph_optimization_level: OptimizationLevel; stored_optimization_level: string; opset: number };
  graphs: Record<Exclude<GraphName, 'backbone_text'>, GraphSpec> & { backbone_text?: GraphSpec };
  files: Record<string, { sha256: string; bytes: number }>;
  provenance: Record<string, unknown>;
}
