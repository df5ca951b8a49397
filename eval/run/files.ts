// File helpers for the runner: the image bytes of a request, and durable writes of edited images.
import { open, readFile, rename, rm } from 'node:fs/promises';
import { composeImages } from '../compose.js';
import type { ImageSource } from '../types.js';
import type { TaskImage } from '../benchmarks/benchmark.js';

const sourceBytes = async (src: ImageSource): Promise<Uint8Array> =>
  src.kind === 'bytes' ? src.bytes : readFile(src.path);

/** The bytes a request sends: a released image as it is, several composed into one PNG (made here, per call). */
export async function imageBytes(src: TaskImage): Promise<Uint8Array> {
  if (src.kind !== 'composed') return sourceBytes(src);
  return (await composeImages(await Promise.all(src.parts.map(sourceBytes)))).png;
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
