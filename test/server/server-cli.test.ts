// The server process from the command line: --help prints every LAVIDA_* setting the server reads and exits 0
// (through npm start too); a port already in use is reported as such, with the setting to change.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../server/config.js';
import { NO_PACKAGE } from './harness.js';
import { runMain } from './run-main.js';

/** Every LAVIDA_* name in the server's TypeScript sources: the settings it reads. */
function settingsRead(): string[] {
  const files = readdirSync(join(ROOT, 'server'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.ts'),
  );
  const names = files.flatMap(
    (f) => readFileSync(join(ROOT, 'server', f), 'utf8').match(/\bLAVIDA_[A-Z_]+[A-Z]\b/g) ?? [],
  );
  return [...new Set(names)].sort();
}

test('--help and -h print the usage with every LAVIDA_* setting and exit 0 without starting', () => {
  const settings = settingsRead();
  assert.ok(settings.includes('LAVIDA_CORS_ORIGINS') && settings.includes('LAVIDA_DEVICE'), settings.join(', '));
  for (const flag of ['--help', '-h']) {
    // a port no one could bind: had it started, it would fail
    const run = runMain([flag], { PORT: '99999' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Usage: npm start/);
    for (const name of [...settings, 'PORT'])
      assert.match(run.stdout, new RegExp(`\\b${name}\\b`), `${name} is not in --help`);
  }
});

test('npm start -- --help prints the same usage', () => {
  const run = spawnSync('npm', ['start', '--silent', '--', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const direct = runMain(['--help']);
  assert.equal(run.stdout, direct.stdout);
});

test('a port in use: exit 1 with a message naming the port and the setting to change', {
  skip: NO_PACKAGE,
}, async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const run = runMain([], { PORT: String(port), LAVIDA_HOST: '127.0.0.1', LAVIDA_LOG_LEVEL: 'info' }, 60_000);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const fatal = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 60);
    assert.ok(fatal, run.stdout);
    assert.match(
      fatal.msg,
      new RegExp(`port ${port}: the port is already in use .*set PORT or LAVIDA_PORT to a free port`),
    );
    assert.doesNotMatch(fatal.msg, /LAVIDA_MODEL/, 'the model is not what to change');
  } finally {
    blocker.close();
  }
});
