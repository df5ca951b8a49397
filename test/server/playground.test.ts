// The playground's files at `/` and /playground/ (the browser test, test/browser/playground.test.ts, drives the
// page): every file the page loads is served with its type and a same-origin Content-Security-Policy, the example
// images with it; nothing else under those paths, and the API's 404 and 405 answers stay as they were.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../../server/config.js';
import { request } from './conformance.js';
import { NO_PACKAGE, useServer } from './harness.js';
import { assertProblem } from './problems.js';

const PLAYGROUND_DIR = join(ROOT, 'server', 'playground');

/** The playground's files (paths relative to its folder). */
const files = (dir = ''): string[] =>
  readdirSync(join(PLAYGROUND_DIR, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );

describe('playground files', { skip: NO_PACKAGE }, () => {
  const srv = useServer();

  test('GET / is the page; it loads its style and script from /playground/', async () => {
    const res = await fetch(`${srv.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await res.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(assets.filter((a) => a.startsWith('/playground/')).sort(), [
      '/playground/main.js',
      '/playground/style.css',
    ]);
    assert.equal((await fetch(`${srv.url}/`, { method: 'HEAD' })).status, 200);
  });

  test('every file of server/playground/ is served with its type; every module a script imports is one of them', async () => {
    const served = files();
    for (const file of served) {
      const res = await fetch(`${srv.url}/playground/${file}`);
      assert.equal(res.status, 200, file);
      const type = { js: /^text\/javascript/, css: /^text\/css/, html: /^text\/html/ }[file.split('.').at(-1)!];
      assert.match(res.headers.get('content-type') ?? '', type!, file);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', file);
      const text = await res.text();
      assert.equal(text, readFileSync(join(PLAYGROUND_DIR, file), 'utf8'), file);
      for (const [, target] of text.matchAll(/^import .* from '([^']+)';$/gm)) {
        const resolved = new URL(target!, `http://x/${file}`).pathname.slice(1);
        assert.ok(served.includes(resolved), `${file} imports ${target}, which is not a playground file`);
      }
    }
  });

  test('the example images and their list are served under /playground/examples/', async () => {
    const list = await fetch(`${srv.url}/playground/examples/examples.json`);
    assert.equal(list.status, 200);
    const { examples } = (await list.json()) as { examples: Array<{ image: string }> };
    for (const { image } of examples) {
      const res = await fetch(`${srv.url}/playground/examples/${image}`);
      assert.equal(res.status, 200, image);
      assert.equal(res.headers.get('content-type'), 'image/png', image);
    }
  });

  test("nothing else: a missing file, a path out of the folder and other methods are the API's 404; API paths keep their 405", async () => {
    assertProblem(await request(`${srv.url}/playground/missing.js`), 404, 'not-found');
    assertProblem(await request(`${srv.url}/playground/..%2Froutes%2Fplayground.ts`), 404, 'not-found');
    assertProblem(await request(`${srv.url}/playground/examples/..%2F..%2Fpackage.json`), 404, 'not-found');
    assertProblem(await request(`${srv.url}/playground/`), 404, 'not-found');
    assertProblem(await request(`${srv.url}/`, { method: 'POST' }), 404, 'not-found');
    assertProblem(await request(`${srv.url}/index.html`), 404, 'not-found');
    const vqa = await request(`${srv.url}/v1/vqa`, { method: 'GET' });
    assertProblem(vqa, 405, 'method-not-allowed');
    assert.equal(vqa.headers.get('allow'), 'POST');
    assertProblem(await request(`${srv.url}/v1/nothing`), 404, 'not-found');
  });
});
