// server/main.ts run to completion as a child process: for tests of what the command prints and its exit status.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../server/config.js';

/** `node --import tsx server/main.ts ...args` from the repository root, `env` over this process's environment. */
export function runMain(args: string[], env: Record<string, string> = {}, timeout = 30_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, ...env },
  });
}
