// Classifier-free guidance knobs of /v1/edit over a real socket: bad scales are 400s naming the field, the
// defaults are exactly today's unguided edit, a guided edit is echoed in `settings` and changes the image, and
// a multipart upload takes the knobs as form fields. Every response is checked against openapi.yaml.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { allConform, request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, useServer } from './harness.js';
import { assertProblem, upload } from './problems.js';

interface Edit {
  image: { b64_json: string };
  settings: { guidance_scale: number; image_guidance_scale: number; preview_every: number };
}

describe('edit guidance knobs', { skip: NO_PACKAGE }, () => {
  after(allConform);
  const srv = useServer();
  let png: Buffer;
  const edit = (knobs: Record<string, unknown>) =>
    request(`${srv.url}/v1/edit`, {
      json: { image: dataUrl(png), instruction: 'make the circle red', steps: 4, plan_steps: 8, ...knobs },
    });
  before(async () => {
    png = await shapesPng();
  });

  test('out-of-range or non-numeric scales and cadences → 400 invalid-request naming the field', async () => {
    for (const [field, value] of [
      ['guidance_scale', -1],
      ['guidance_scale', 20.5],
      ['guidance_scale', 'strong'],
      ['image_guidance_scale', -0.1],
      ['image_guidance_scale', null],
      ['preview_every', 0],
      ['preview_every', 1.5],
    ] as const) {
      const r = await edit({ [field]: value });
      assertProblem(r, 400, 'invalid-request');
      assert.match(r.json<{ detail: string }>().detail, new RegExp(field), r.text);
    }
    const form = upload(png, 'image/png', { instruction: 'x', guidance_scale: '-2' });
    assertProblem(await request(`${srv.url}/v1/edit`, { method: 'POST', body: form }), 400, 'invalid-request');
  });

  test('scales 0 are the default, unguided edit; a guided edit is echoed and changes the image', async () => {
    const plain = await edit({ response_format: 'b64_json' });
    const zero = await edit({ response_format: 'b64_json', guidance_scale: 0, image_guidance_scale: 0 });
    const guided = await edit({ response_format: 'b64_json', guidance_scale: 4, image_guidance_scale: 1.5 });
    for (const r of [plain, zero, guided]) assert.equal(r.status, 200, r.text);
    const [p, z, g] = [plain, zero, guided].map((r) => r.json<Edit>());
    assert.deepEqual(p!.settings, { ...p!.settings, guidance_scale: 0, image_guidance_scale: 0, preview_every: 4 });
    assert.equal(z!.image.b64_json, p!.image.b64_json);
    assert.deepEqual([g!.settings.guidance_scale, g!.settings.image_guidance_scale], [4, 1.5]);
    assert.notEqual(g!.image.b64_json, p!.image.b64_json);

    const form = upload(png, 'image/png', {
      instruction: 'make the circle red',
      steps: '4',
      plan_steps: '8',
      guidance_scale: '4',
      image_guidance_scale: '1.5',
    });
    const up = await request(`${srv.url}/v1/edit`, { method: 'POST', body: form });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.headers.get('content-type'), 'image/png');
    assert.ok(up.bytes.equals(Buffer.from(g!.image.b64_json, 'base64')), 'the upload is edited as the JSON request');
  });
});
