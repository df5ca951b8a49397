// What a run records about the code and the model it measured: the harness checkout's git commit, and the
// model package's sha256 (of its manifest.json, which lists the sha256 of every package file; the server checks
// the files against it when it loads the package); and the sha256 of other inputs (the judge prompt file).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CHECKOUT = fileURLToPath(new URL('../..', import.meta.url));

export interface GitState {
  commit: string;
  /** Tracked files differ from the commit. */
  dirty: boolean;
}

/** The commit of the checkout this harness runs from; null outside a git checkout (or without git). */
export async function gitState(dir = CHECKOUT): Promise<GitState | null> {
  const git = (args: string[]): Promise<string> =>
    promisify(execFile)('git', args, { cwd: dir }).then((r) => r.stdout.trim());
  try {
    const [commit, status] = await Promise.all([
      git(['rev-parse', 'HEAD']),
      git(['status', '--porcelain', '--untracked-files=no']),
    ]);
    return { commit, dirty: status !== '' };
  } catch {
    return null;
  }
}

/** sha256 (hex) of a file's bytes. */
export async function fileSha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** sha256 (hex) of the package's manifest.json. */
export const packageSha256 = (packageDir: string): Promise<string> => fileSha256(join(packageDir, 'manifest.json'));
