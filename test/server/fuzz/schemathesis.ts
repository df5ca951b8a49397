// Runs schemathesis (in train/.venv: scripts/setup-python.sh installs test/requirements.txt there) over
// openapi.yaml against a server, with the settings (schemathesis.toml) and hooks (hooks.py) beside this file.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../../server/config.js';

export const SCHEMATHESIS = join(ROOT, 'train/.venv/bin/schemathesis');
const FUZZ = join(ROOT, 'test/server/fuzz');
/** The real image the hooks put into image fields (a held-out world item; any PNG would do). */
const IMAGE = join(ROOT, 'examples/count.png');

export interface FuzzSettings {
  /** Examples per operation in the fuzzing phase (the coverage phase adds its own boundary cases). */
  examples: number;
  /** Caps the cost knobs of the requests given a real image (0: as generated); see hooks.py. */
  maxPasses: number;
  seed: number;
}

/** The figures of schemathesis' JSON report that the test reports. */
export interface FuzzReport {
  exit_code: number;
  running_time: number;
  operations: { selected: number; tested: number };
  test_cases: { generated: number; with_failures: number };
  failures: Array<{ code: string; title: string; count: number; operations: string[] }>;
  errors: unknown[];
  filtered: number;
}

export interface FuzzRun {
  code: number | null;
  /** schemathesis' console output (its failures, with a curl line to reproduce each). */
  output: string;
  report: FuzzReport | undefined;
}

export async function runSchemathesis(url: string, model: string, s: FuzzSettings): Promise<FuzzRun> {
  const dir = mkdtempSync(join(tmpdir(), 'lavida-fuzz-'));
  const reportPath = join(dir, 'report.json');
  try {
    const args = [
      '--config-file',
      join(FUZZ, 'schemathesis.toml'),
      'run',
      join(ROOT, 'openapi.yaml'),
      '--url',
      url,
      '--max-examples',
      String(s.examples),
      '--seed',
      String(s.seed),
      '--no-color',
      '--report',
      'json',
      '--report-json-path',
      reportPath,
    ];
    const child = spawn(SCHEMATHESIS, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        LAVIDA_FUZZ_IMAGE: IMAGE,
        LAVIDA_FUZZ_MODEL: model,
        LAVIDA_FUZZ_MAX_PASSES: String(s.maxPasses),
        HYPOTHESIS_STORAGE_DIRECTORY: join(dir, 'hypothesis'),
      },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as FuzzReport) : undefined;
    return { code, output, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
