// openapi.yaml passes Redocly's recommended rules (the CLI's default, no redocly.yaml) with no error or warning:
// the spec other generators and viewers read stays clean.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../server/config.js';

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
}

test('redocly lint openapi.yaml: 0 errors, 0 warnings, nothing ignored', { timeout: 60_000 }, async () => {
  const redocly = join(ROOT, 'node_modules/.bin/redocly');
  const { stdout } = await promisify(execFile)(redocly, ['lint', join(ROOT, 'openapi.yaml'), '--format=json'], {
    cwd: ROOT,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off' },
  });
  const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as LintReport;
  const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
  assert.deepEqual(problems, []);
  assert.deepEqual(report.totals, { errors: 0, warnings: 0, ignored: 0 });
});
