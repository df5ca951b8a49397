// The model package the ORT tests run, and the Python ONNX Runtime pipelines' outputs on it
// (test/engine/py/ort_cases.py, cached in the temp folder under a hash of the package and the Python sources).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_PACKAGE, PACKAGE_DIR } from '../package.js';
import { ROOT } from './reference.js';

const PYTHON = join(ROOT, 'train/.venv/bin/python');
export { MODEL_ID, MODELS_DIR, NO_PACKAGE, PACKAGE_DIR } from '../package.js';
export const NO_PYTHON = NO_PACKAGE || (existsSync(PYTHON) ? false : `no Python reference: ${PYTHON} is missing`);
/** Held-out world samples per family (the acceptance run uses 50). */
export const PER_FAMILY = Number(process.env.LAVIDA_PARITY_N ?? 4);

export interface OrtCase {
  family: 'math' | 'chart' | 'mcq' | 'grounding' | 'edit';
  id: string;
  image: string;
  prompt: string;
  tokens?: number[];
  fast_tokens?: number[]; // threshold 0.9 over the dual cache
  text?: string;
  bins?: number[];
  bins_by_steps?: Record<'1' | '2' | '4', number[]>; // grounding in 1, 2 and 4 passes
  box?: number[];
  plan?: string;
  plan_ids?: number[];
  vq?: number[];
  pixels?: number[];
  guided_vq?: Record<string, number[]>; // VQ ids of guided decoding by "guidance_scale,image_guidance_scale"
}

function pyFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === '__pycache__' ? [] : pyFiles(path);
      return name.endsWith('.py') ? [path] : [];
    });
}

let cached: { dir: string; cases: OrtCase[] } | undefined;

export function ortReference(): { dir: string; cases: OrtCase[] } {
  if (cached) return cached;
  const hash = createHash('sha256')
    .update(String(PER_FAMILY))
    .update(readFileSync(join(PACKAGE_DIR!, 'manifest.json')));
  for (const f of [join(ROOT, 'test/engine/py/ort_cases.py'), ...pyFiles(join(ROOT, 'train/lavida_r1'))])
    hash.update(f).update(readFileSync(f));
  const dir = join(tmpdir(), `lavida-ort-cases-${hash.digest('hex').slice(0, 16)}`);
  const file = join(dir, 'ort_cases.json');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const run = spawnSync(PYTHON, [join(ROOT, 'test/engine/py/ort_cases.py'), PACKAGE_DIR!, dir, String(PER_FAMILY)], {
      cwd: join(ROOT, 'train'),
      env: { ...process.env, OMP_NUM_THREADS: '1' },
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (run.status !== 0) throw new Error(`the Python ORT reference failed:\n${run.stderr}`);
  }
  cached = { dir, cases: (JSON.parse(readFileSync(file, 'utf8')) as { cases: OrtCase[] }).cases };
  return cached;
}
