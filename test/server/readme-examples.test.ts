// The README's curl examples over a real socket: each shipped example image (examples/, written by
// `python -m lavida_r1.make_examples`) gets the answer documented in examples/examples.json from the
// default package — VQA (and the same question through the OpenAI-compatible chat), grounding and editing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { NO_PACKAGE, PACKAGE_DIR, useServer } from './harness.js';

const EXAMPLES = resolve(fileURLToPath(import.meta.url), '../../../examples');
const DEFAULT_PACKAGE = resolve(fileURLToPath(import.meta.url), '../../../models/lavida-r1-tiny');

interface Example {
  name: string;
  endpoint: string;
  image: string;
  question?: string;
  answer?: string;
  relaxed?: boolean;
  description?: string;
  box?: [number, number, number, number];
  instruction?: string;
  target?: string;
}
const examples: Example[] = JSON.parse(readFileSync(join(EXAMPLES, 'examples.json'), 'utf8')).examples;
const png = (file: string): Buffer => readFileSync(join(EXAMPLES, file));

function upload(example: Example, fields: Record<string, string>): FormData {
  const form = new FormData();
  form.set('image', new Blob([new Uint8Array(png(example.image))], { type: 'image/png' }), example.image);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
}

/** ChartQA's relaxed accuracy (5% on numbers), as the examples were picked by. */
function answerMatches(got: string | null, want: string, relaxed: boolean): boolean {
  if (got === null) return false;
  const [g, w] = [Number(got), Number(want)];
  if (relaxed && got.trim() !== '' && Number.isFinite(g) && Number.isFinite(w))
    return w === 0 ? g === 0 : Math.abs(g - w) / Math.abs(w) <= 0.05;
  return relaxed ? got.trim().toLowerCase() === want.trim().toLowerCase() : got === want;
}

function iou(a: number[], b: number[]): number {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - w * h;
  return union > 0 ? (w * h) / union : 0;
}

async function meanAbsDiff(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all(
    [a, b].map((p) => sharp(p).removeAlpha().resize(64, 64, { kernel: 'nearest' }).raw().toBuffer()),
  );
  let total = 0;
  for (let i = 0; i < x!.length; i++) total += Math.abs(x![i]! - y![i]!);
  return total / x!.length;
}

// The examples document the default package; a test run against another package has other answers.
describe('README examples', { skip: NO_PACKAGE || resolve(PACKAGE_DIR) !== DEFAULT_PACKAGE }, () => {
  const srv = useServer();

  for (const example of examples.filter((e) => e.endpoint === '/v1/vqa')) {
    test(`VQA ${example.name}: "${example.answer}"`, async () => {
      const r = await fetch(`${srv.url}/v1/vqa`, {
        method: 'POST',
        body: upload(example, { question: example.question! }),
      });
      assert.equal(r.status, 200);
      const body = (await r.json()) as { answer: string | null };
      assert.ok(
        answerMatches(body.answer, example.answer!, example.relaxed ?? false),
        `got ${body.answer}, want ${example.answer}`,
      );
    });
  }

  test("threshold decoding over the dual cache keeps the first VQA example's answer in fewer passes", async () => {
    const example = examples.find((e) => e.endpoint === '/v1/vqa')!;
    const ask = async (fields: Record<string, string>) => {
      const r = await fetch(`${srv.url}/v1/vqa`, {
        method: 'POST',
        body: upload(example, { question: example.question!, ...fields }),
      });
      assert.equal(r.status, 200);
      return (await r.json()) as { answer: string | null; usage: { nfe: number } };
    };
    const [plain, fast] = [await ask({}), await ask({ threshold: '0.9', dual_cache: 'true' })];
    assert.equal(fast.answer, example.answer);
    assert.ok(fast.usage.nfe < plain.usage.nfe, `${fast.usage.nfe} vs ${plain.usage.nfe} passes`);
  });

  test('chat completions answer the first VQA example the same way', async () => {
    const example = examples.find((e) => e.endpoint === '/v1/vqa')!;
    const r = await fetch(`${srv.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'lavida-r1-tiny',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: example.question },
              {
                type: 'image_url',
                image_url: { url: `data:image/png;base64,${png(example.image).toString('base64')}` },
              },
            ],
          },
        ],
      }),
    });
    assert.equal(r.status, 200);
    const body = (await r.json()) as { choices: Array<{ message: { content: string } }> };
    const content = body.choices[0]!.message.content;
    assert.match(content, new RegExp(`<answer>${example.answer!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</answer>`));
  });

  // max_tokens caps the completion; the canvas stays the server's, so an answer within 64 tokens is kept
  for (const example of examples.filter((e) => e.endpoint === '/v1/vqa')) {
    test(`chat completions with max_tokens: 64 answer ${example.name}: "${example.answer}"`, async () => {
      const r = await fetch(`${srv.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'lavida-r1-tiny',
          max_tokens: 64,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: example.question },
                {
                  type: 'image_url',
                  image_url: { url: `data:image/png;base64,${png(example.image).toString('base64')}` },
                },
              ],
            },
          ],
        }),
      });
      assert.equal(r.status, 200);
      const body = (await r.json()) as { usage: { completion_tokens: number }; lavida: { answer: string | null } };
      assert.ok(body.usage.completion_tokens <= 64, JSON.stringify(body.usage));
      assert.ok(
        answerMatches(body.lavida.answer, example.answer!, example.relaxed ?? false),
        `got ${body.lavida.answer}, want ${example.answer}`,
      );
    });
  }

  for (const example of examples.filter((e) => e.endpoint === '/v1/ground')) {
    test(`grounding ${example.name}: IoU >= 0.5 with the true box`, async () => {
      const r = await fetch(`${srv.url}/v1/ground`, {
        method: 'POST',
        body: upload(example, { description: example.description! }),
      });
      assert.equal(r.status, 200);
      const body = (await r.json()) as { boxes: Array<{ bbox_2d: number[] }> };
      const overlap = iou(body.boxes[0]!.bbox_2d, example.box!);
      assert.ok(overlap >= 0.5, `IoU ${overlap.toFixed(3)}`);
    });
  }

  for (const example of examples.filter((e) => e.endpoint === '/v1/edit')) {
    test(`edit ${example.name}: the result is closer to the exact target than the source is`, async () => {
      const r = await fetch(`${srv.url}/v1/edit`, {
        method: 'POST',
        body: upload(example, { instruction: example.instruction! }),
      });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'image/png');
      const edited = Buffer.from(await r.arrayBuffer());
      const target = png(example.target!);
      assert.ok((await meanAbsDiff(edited, target)) < (await meanAbsDiff(png(example.image), target)));
    });
  }
});
