// Messages between the engine and its image threads (image-pool.ts, image-worker.ts).
import type { ModelConfig } from '../package/model-config.js';
import type { ImageError } from './mime.js';
import type { PreparedImage } from './prepare.js';
import type { DecodeOptions } from './preprocess.js';

export interface ImageRequest {
  id: number;
  bytes: Uint8Array; // the encoded image (its buffer is transferred)
  config: ModelConfig;
  decode: Omit<DecodeOptions, 'allowed'>;
  edit: boolean;
}

export type ImageReply =
  | { id: number; ok: true; image: PreparedImage }
  | { id: number; ok: false; error: { message: string; code: ImageError['code'] | null } };
