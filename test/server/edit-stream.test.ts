// The streamed edit over a real socket, read with the SDK's event reader as it arrives: the plan's passes, then a
// decoded PNG preview every `preview_every` image passes and after the last, then the result (whose image is the
// last preview's), then [DONE]. Every response is checked against openapi.yaml.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { createLavidaClient, readEvents, type Schemas } from '../../sdk/client.js';
import { allConform, conformingFetch } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, useServer } from './harness.js';

type Step = Schemas['TextStepEvent'] | Schemas['ImageStepEvent'];
type Edit = Schemas['EditResponse'];

const PREFIX = 'data:image/png;base64,';

/** Raw RGB pixels and size of a PNG. */
async function pixels(png: Buffer): Promise<{ width: number; height: number; format?: string; data: Buffer }> {
  const meta = await sharp(png).metadata();
  const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { width: meta.width!, height: meta.height!, format: meta.format, data };
}

describe('edit streaming previews', { skip: NO_PACKAGE }, () => {
  after(allConform);
  const srv = useServer();
  let image: string;
  before(async () => {
    image = dataUrl(await shapesPng());
  });

  async function stream(body: Record<string, unknown>): Promise<{ steps: Step[]; result: Edit; names: string[] }> {
    const client = createLavidaClient({ baseUrl: srv.url, fetch: conformingFetch });
    const { response } = await client.POST('/v1/edit', {
      body: { image, instruction: 'make the circle red', stream: true, ...body } as Schemas['EditRequest'],
      parseAs: 'stream',
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const steps: Step[] = [];
    const names: string[] = [];
    let result: Edit | undefined;
    for await (const e of readEvents(response.body!)) {
      names.push(e.event);
      if (e.data === '[DONE]') break;
      if (e.event === 'step') steps.push(JSON.parse(e.data) as Step);
      if (e.event === 'result') result = JSON.parse(e.data) as Edit;
    }
    assert.ok(result, `a result event among ${names.join(', ')}`);
    return { steps, result, names };
  }

  test('default cadence: a PNG preview every 4 image passes and after the last; the result is the last preview', async () => {
    const { steps, result, names } = await stream({ steps: 10, plan_steps: 8 });
    assert.deepEqual(names.slice(-2), ['result', 'message']);
    assert.equal(steps.filter((s) => s.phase === 'plan').length, 8);
    const images = steps.filter((s): s is Schemas['ImageStepEvent'] => s.phase === 'image');
    assert.deepEqual(
      images.map((s) => s.nfe),
      [4, 8, 10],
    );
    assert.equal(result.settings.preview_every, 4);
    const final = await pixels(Buffer.from(result.image.b64_json, 'base64'));
    const decoded = [];
    for (const s of images) {
      assert.equal(s.steps, 10);
      assert.ok(s.image.url.startsWith(PREFIX), s.image.url.slice(0, 40));
      const png = await pixels(Buffer.from(s.image.url.slice(PREFIX.length), 'base64'));
      assert.equal(png.format, 'png');
      assert.deepEqual([png.width, png.height], [s.image.width, s.image.height]);
      assert.deepEqual([png.width, png.height], [final.width, final.height]);
      decoded.push(png.data);
    }
    assert.ok(images.every((s, i) => i === 0 || s.committed > images[i - 1]!.committed));
    assert.ok(decoded.at(-1)!.equals(final.data), 'the last preview is the edited image');
    assert.ok(!decoded[0]!.equals(final.data), 'the first preview is a partly decided canvas');
  });

  test('preview_every 1: a preview after every image pass; a non-streamed request is unchanged by the knob', async () => {
    const { steps, result } = await stream({ steps: 3, plan_steps: 4, preview_every: 1 });
    assert.deepEqual(
      steps.filter((s) => s.phase === 'image').map((s) => s.nfe),
      [1, 2, 3],
    );
    const client = createLavidaClient({ baseUrl: srv.url, fetch: conformingFetch });
    const plain = await client.POST('/v1/edit', {
      body: { image, instruction: 'make the circle red', steps: 3, plan_steps: 4, response_format: 'b64_json' },
    });
    assert.equal(plain.data?.image.b64_json, result.image.b64_json);
  });
});
