// Helpers of the benchmarks' request builders (each folder's index.ts).
import { UserError } from '../errors.js';
import type { ImageSource } from '../types.js';

/** The first `n` items (all when `n` is not given). */
export const head = <T>(xs: T[], n?: number): T[] => (n === undefined ? xs : xs.slice(0, n));

/** `--prompt`'s style, one of `allowed` (the first when not given). */
export function promptStyle<T extends string>(value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined) return allowed[0]!;
  if (!(allowed as readonly string[]).includes(value))
    throw new UserError(`--prompt must be one of ${allowed.join(', ')} (got ${value})`);
  return value as T;
}

export function needImage(img: ImageSource | null | undefined, id: string): ImageSource {
  if (!img) throw new UserError(`sample ${id} has no image`);
  return img;
}
