// ImgEdit on world data: the world's oracle judge (Python, train/lavida_r1/world/run_oracle_judge.py) turns
// OUT/images/<key>.png into the judge-result JSON `lavida-eval score` reads, restricted to the keys this run did.
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { parseObjectEntries } from '../jsonorder.js';
import { writeAtomic } from '../output.js';

const TRAIN = fileURLToPath(new URL('../../train', import.meta.url));

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

/** The make_benchmarks folder when `root` (the folder of singleturn.json) is world data, else null. */
export async function worldBenchRoot(root: string): Promise<string | null> {
  // world layout: BENCH/ImgEdit/Benchmark/singleturn/ beside BENCH/ImgEdit/world_targets/
  const bench = resolve(root, '..', '..', '..');
  return (await exists(join(bench, 'ImgEdit', 'world_targets'))) ? bench : null;
}

function runPython(args: string[]): Promise<void> {
  const python = process.env.LAVIDA_PYTHON ?? join(TRAIN, '.venv', 'bin', 'python');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, args, {
      cwd: TRAIN,
      env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', (e) =>
      reject(
        new UserError(
          `cannot start the oracle judge with ${python}: ${e.message} (set LAVIDA_PYTHON or run npm run setup:python)`,
        ),
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(
            new UserError(`oracle judge failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`),
          ),
    );
  });
}

/** Judges OUT/images into `out` and returns its path. */
export async function oracleJudge(bench: string, imagesDir: string, keys: Set<string>, out: string): Promise<string> {
  const tmp = await mkdtemp(join(tmpdir(), 'lavida-judge-'));
  try {
    const full = join(tmp, 'result.json');
    await runPython([
      '-m',
      'lavida_r1.world.run_oracle_judge',
      '--bench',
      bench,
      '--results',
      imagesDir,
      '--out',
      full,
    ]);
    const entries = parseObjectEntries(await readFile(full, 'utf8'), full).filter(([k]) => keys.has(k));
    await writeAtomic(out, `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`);
    return out;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
