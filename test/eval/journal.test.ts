import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Journal, recoverJournal } from '../../eval/run/journal.js';
import { tempDir } from './helpers.js';

const line = (o: object): string => `${JSON.stringify(o)}\n`;

describe('predictions journal', () => {
  test('a missing file is an empty journal', async () => {
    const r = await recoverJournal(join(await tempDir(), 'predictions.jsonl'));
    assert.deepEqual([r.done.size, r.errors, r.tornBytes], [0, 0, 0]);
  });

  test('a torn last line is cut off the file and its id is not done', async () => {
    const path = join(await tempDir(), 'p.jsonl');
    const good = line({ id: 'a', response: 'x' }) + line({ id: 'b', response: 'y' });
    await writeFile(path, `${good}{"id":"c","respo`);
    const r = await recoverJournal(path);
    assert.deepEqual([...r.done], ['a', 'b']);
    assert.equal(r.tornBytes, Buffer.byteLength('{"id":"c","respo'));
    assert.equal(await readFile(path, 'utf8'), good);
  });

  test('a complete JSON object without its newline still counts as torn (never acknowledged)', async () => {
    const path = join(await tempDir(), 'p.jsonl');
    await writeFile(path, `${line({ id: 'a', response: '' })}{"id":"b","response":""}`);
    assert.deepEqual([...(await recoverJournal(path)).done], ['a']);
  });

  test('a malformed line in the middle is an error, not silently dropped', async () => {
    const path = join(await tempDir(), 'p.jsonl');
    await writeFile(path, `{oops\n${line({ id: 'a', response: '' })}`);
    await assert.rejects(recoverJournal(path), /p\.jsonl:1: malformed line in the middle/);
  });

  test('duplicate ids are refused', async () => {
    const path = join(await tempDir(), 'p.jsonl');
    await writeFile(path, line({ id: 'a', response: '' }) + line({ id: 'a', response: 'z' }));
    await assert.rejects(recoverJournal(path), /p\.jsonl:2: duplicate id "a"/);
  });

  test('errors count as done; retryErrors rewrites the journal without them', async () => {
    const path = join(await tempDir(), 'p.jsonl');
    const ok = line({ id: 'a', response: 'x' });
    await writeFile(path, ok + line({ id: 'b', response: '', error: 'HTTP 504' }));
    const r = await recoverJournal(path);
    assert.deepEqual([[...r.done], r.errors], [['a', 'b'], 1]);
    const retry = await recoverJournal(path, true);
    assert.deepEqual([[...retry.done], retry.errors], [['a'], 0]);
    assert.equal(await readFile(path, 'utf8'), ok);
  });

  test('concurrent appends land as whole lines after the recovered ones', async () => {
    const path = join(await tempDir(), 'p.jsonl');
    await appendFile(path, line({ id: '0', response: '' }));
    const j = await Journal.open(path);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => j.append({ id: String(i + 1), response: 'r'.repeat(i * 100) })),
    );
    await j.close();
    const r = await recoverJournal(path);
    assert.equal(r.done.size, 21);
    assert.equal(r.tornBytes, 0);
  });
});
