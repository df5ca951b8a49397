// The model settings the engine needs, with the field names of Python's LavidaConfig.to_dict() (the
// manifest's model config), so a package's config object can be used as is.

export interface VisionSettings {
  image_size: number;
  patch_size: number;
}

export interface VqSettings {
  block_out_channels: number[];
  num_vq_embeddings: number;
  image_size: number;
}

export interface ModelConfig {
  bos_token_id: number;
  eos_token_id: number;
  eot_token_id: number;
  start_header_id: number;
  end_header_id: number;
  mask_token_id: number;
  image_token_id: number;
  gen_token_id: number;
  edit_token_id: number;
  loc_token_offset: number;
  num_loc_bins: number;
  box_start_id: number;
  box_end_id: number;
  loc_begin_id: number;
  loc_end_id: number;
  downsample: boolean;
  mm_spatial_pool_stride: number;
  image_grid_pinpoints: Array<[number, number]>;
  vision: VisionSettings;
  vq: VqSettings;
}

export const locToken = (c: ModelConfig, bin: number): number => c.loc_token_offset + bin;

/** VQ tokens per side of a generated image. */
export const vqGridSize = (c: ModelConfig): number => c.vq.image_size / 2 ** (c.vq.block_out_channels.length - 1);

/** LM positions of one VQ image (the 2x2 down-sampled grid when `downsample`). */
export function vqSlots(c: ModelConfig): number {
  const grid = vqGridSize(c);
  return c.downsample ? Math.floor(grid / 2) ** 2 : grid * grid;
}
