// Small filesystem helpers for locating released files.
import { stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from './errors.js';

export async function kindOf(path: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}

export async function requireExists(path: string, what: string): Promise<'file' | 'dir'> {
  const k = await kindOf(path);
  if (k === null) throw new UserError(`${what} not found: ${path}`);
  return k;
}

/** First candidate (relative to root) that exists as a file, or null. */
export async function firstFile(root: string, candidates: string[]): Promise<string | null> {
  for (const c of candidates) {
    const p = join(root, c);
    if ((await kindOf(p)) === 'file') return p;
  }
  return null;
}

/** The files directly in each of `subdirs` of `root` ('.' is root itself) whose name satisfies `accept`, sorted by path. */
export async function filesIn(root: string, subdirs: string[], accept: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const sub of subdirs) {
    const dir = join(root, sub);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    out.push(...entries.filter((e) => e.isFile() && accept(e.name)).map((e) => join(dir, e.name)));
  }
  return out.sort();
}
