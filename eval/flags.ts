// Parsed command-line values and the checks of the ones a benchmark reads.
import { UserError } from './errors.js';

export type Flags = Record<string, string | boolean | undefined>;

/** `--name`'s value, one of `allowed`; `dflt` when it is not given. */
export function choice<T extends string>(flags: Flags, name: string, allowed: readonly T[], dflt: T): T {
  const v = flags[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new UserError(`--${name} must be one of ${allowed.join(', ')} (got ${String(v)})`);
  }
  return v as T;
}

/** `--name`'s value as a finite number (an integer when asked); `dflt` when it is not given. */
export function number(flags: Flags, name: string, dflt: number, integer = false): number {
  const v = flags[name];
  if (v === undefined) return dflt;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new UserError(`--${name} must be ${integer ? 'an integer' : 'a number'} (got ${String(v)})`);
  return n;
}

/** `--name`'s value when it is a string. */
export const stringFlag = (flags: Flags, name: string): string | undefined =>
  typeof flags[name] === 'string' ? (flags[name] as string) : undefined;
