// Settings that would silently weaken the server are refused at start: an API-key variable that yields no key,
// operations endpoints protected by no key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configFromEnv } from '../../server/config.js';
import { runMain } from './run-main.js';

test('LAVIDA_API_KEYS: unset or empty → no auth; keys trimmed; set but yielding no key → refused', () => {
  assert.deepEqual(configFromEnv({}).apiKeys, []);
  assert.deepEqual(configFromEnv({ LAVIDA_API_KEYS: '' }).apiKeys, []);
  assert.deepEqual(configFromEnv({ LAVIDA_API_KEYS: ' a , b,,' }).apiKeys, ['a', 'b']);
  for (const raw of [' , ', ',', '   '])
    assert.throws(() => configFromEnv({ LAVIDA_API_KEYS: raw }), /LAVIDA_API_KEYS is set .* but holds no key/);
});

test('LAVIDA_PROTECT_OPS: a boolean, off by default, refused without keys or when not a boolean', () => {
  assert.equal(configFromEnv({}).protectOps, false);
  assert.equal(configFromEnv({ LAVIDA_API_KEYS: 'k', LAVIDA_PROTECT_OPS: 'true' }).protectOps, true);
  assert.equal(configFromEnv({ LAVIDA_API_KEYS: 'k', LAVIDA_PROTECT_OPS: '0' }).protectOps, false);
  assert.throws(() => configFromEnv({ LAVIDA_PROTECT_OPS: '1' }), /LAVIDA_PROTECT_OPS needs LAVIDA_API_KEYS/);
  assert.throws(
    () => configFromEnv({ LAVIDA_API_KEYS: 'k', LAVIDA_PROTECT_OPS: 'on please' }),
    /must be true or false/,
  );
});

test('the server refuses to start on LAVIDA_API_KEYS=" , ": exit 1, one line, no stack trace', () => {
  const run = runMain([], { LAVIDA_API_KEYS: ' , ', PORT: '0', LAVIDA_HOST: '127.0.0.1' }, 20_000);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /^lavida: invalid settings: LAVIDA_API_KEYS is set \(" , "\) but holds no key/);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
  assert.equal(run.stdout, '', 'it never listened');
});
