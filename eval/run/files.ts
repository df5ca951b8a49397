// File helpers for the runner: image bytes of a sample, and durable writes of edited images.
import { open, readFile, rename, rm } from 'node:fs/promises';
import type { ImageSource } from '../types.js';

export async function imageBytes(src: ImageSource): Promise<Uint8Array> {
  return src.kind === 'bytes' ? src.bytes : readFile(src.path);
}

/** Temp file + fsync + rename: after a crash the file is either absent or whole. */
export async function writeDurable(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.write(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
