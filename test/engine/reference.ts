// The Python reference's answers for the engine parity tests: test/engine/py/cases.py runs once (about 10 s)
// and its output is cached in the temp folder under a hash of every input that could change it.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOKENIZER_JSON = join(ROOT, 'train/checkpoints/lavida-r1-tiny/tokenizer.json');
const PYTHON = join(ROOT, 'train/.venv/bin/python');
export const SKIP_REASON = existsSync(PYTHON)
  ? false
  : `no Python reference: ${PYTHON} is missing (run npm test or scripts/setup-python.sh)`;

function pyFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === '__pycache__' ? [] : pyFiles(path);
      return name.endsWith('.py') ? [path] : [];
    });
}

let cached: { dir: string; cases: any } | undefined;

/** The cases (untyped JSON, each test reads its part) and the folder holding the input images. */
export function reference(): { dir: string; cases: any } {
  if (cached) return cached;
  const hash = createHash('sha256');
  for (const f of [
    ...pyFiles(join(ROOT, 'test/engine/py')),
    ...pyFiles(join(ROOT, 'train/lavida_r1')),
    TOKENIZER_JSON,
  ]) {
    hash.update(f).update(readFileSync(f));
  }
  const dir = join(tmpdir(), `lavida-engine-cases-${hash.digest('hex').slice(0, 16)}`);
  const file = join(dir, 'cases.json');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const run = spawnSync(PYTHON, [join(ROOT, 'test/engine/py/cases.py'), TOKENIZER_JSON, dir], {
      cwd: join(ROOT, 'train'),
      env: { ...process.env, OMP_NUM_THREADS: '1' },
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (run.status !== 0) throw new Error(`the Python reference failed:\n${run.stderr}`);
  }
  cached = { dir, cases: JSON.parse(readFileSync(file, 'utf8')) };
  return cached;
}

export const fromBase64 = (s: string): Buffer => Buffer.from(s, 'base64');
export const float32s = (s: string): Float32Array => {
  const b = fromBase64(s);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
