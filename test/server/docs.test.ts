// /docs: Swagger UI over the server's own openapi.yaml, every asset the page loads served by this server from the
// swagger-ui-dist package (nothing from a CDN).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { NO_PACKAGE, useServer } from './harness.js';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

describe('/docs', { skip: NO_PACKAGE }, () => {
  const srv = useServer();

  test('/docs redirects to /docs/, an HTML page that loads Swagger UI from this server only', async () => {
    const redirect = await fetch(`${srv.url}/docs`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/docs/');
    const page = await fetch(`${srv.url}/docs/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.includes('swagger-ui-bundle.js') && assets.includes('swagger-ui.css'), assets.join(', '));
    for (const asset of assets) assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} is loaded from elsewhere`);
    const specUrl = /data-spec-url="([^"]+)"/.exec(html)?.[1];
    assert.ok(specUrl, 'the page names the spec');
    const spec = await fetch(new URL(specUrl, `${srv.url}/docs/`));
    assert.equal(spec.status, 200);
    assert.match(await spec.text(), /^openapi: 3\.1\.0\ninfo:\n {2}title: LaViDa-R1 inference server/);
  });

  test('every asset the page loads is served: the initializer, and Swagger UI byte for byte from its package', async () => {
    const html = await (await fetch(`${srv.url}/docs/`)).text();
    for (const asset of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
      const res = await fetch(new URL(asset, `${srv.url}/docs/`));
      assert.equal(res.status, 200, asset);
      const bytes = Buffer.from(await res.arrayBuffer());
      if (asset === 'init.js') {
        assert.match(bytes.toString(), /SwaggerUIBundle\(/);
        continue;
      }
      const expected = { js: /javascript/, css: /^text\/css/, png: /^image\/png/ }[asset.split('.').at(-1)!];
      assert.match(res.headers.get('content-type') ?? '', expected!, asset);
      assert.ok(bytes.equals(readFileSync(join(SWAGGER_UI_DIR, asset))), `${asset} is swagger-ui-dist's`);
    }
  });

  test("the package's own demo files are not served", async () => {
    for (const file of ['swagger-initializer.js', 'index.css', 'package.json']) {
      assert.equal((await fetch(`${srv.url}/docs/${file}`)).status, 404, file);
    }
  });
});
