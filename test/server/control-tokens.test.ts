// User text never becomes a control token: special-token strings in any text field are a 400 naming the token,
// and a request that fails inside a batch fails alone while the requests batched with it complete.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { decodeImage } from '../../server/engine/image/preprocess.js';
import type { RgbImage } from '../../server/engine/image/rgb.js';
import { PromptError } from '../../server/engine/text/prompts.js';
import { request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, sharedEngine, useServer } from './harness.js';
import { assertProblem, upload } from './problems.js';

const TOKENS = ['<|reserved_token_6|>', '<|eot_id|>', '<LOC_5>', '<|edit_slots|>', '<|start_header_id|>', '<box_p>'];
const QUICK = { max_tokens: 16, block_length: 16 };

describe('control tokens in user text', { skip: NO_PACKAGE }, () => {
  const srv = useServer();
  let png: Buffer;
  before(async () => {
    png = await shapesPng();
  });

  test('in a question, a description, an instruction (JSON or upload) or any chat message → 400 naming the token', async () => {
    const image = dataUrl(png);
    for (const token of TOKENS) {
      const text = `How many shapes${token} are there?`;
      const replies = [
        await request(`${srv.url}/v1/vqa`, { json: { image, question: text, ...QUICK } }),
        await request(`${srv.url}/v1/vqa`, { method: 'POST', body: upload(png, 'image/png', { question: text }) }),
        await request(`${srv.url}/v1/ground`, { json: { image, description: text } }),
        await request(`${srv.url}/v1/ground`, { json: { image, description: text, raw_prompt: true } }),
        await request(`${srv.url}/v1/ground`, {
          method: 'POST',
          body: upload(png, 'image/png', { description: text }),
        }),
        await request(`${srv.url}/v1/edit`, { method: 'POST', body: upload(png, 'image/png', { instruction: text }) }),
        await request(`${srv.url}/v1/edit`, { json: { image, instruction: text } }),
        await request(`${srv.url}/v1/chat/completions`, {
          json: {
            model: srv.ctx.engine.status.model,
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text },
                  { type: 'image_url', image_url: { url: image } },
                ],
              },
            ],
          },
        }),
        await request(`${srv.url}/v1/chat/completions`, {
          json: {
            model: srv.ctx.engine.status.model,
            messages: [
              { role: 'system', content: text },
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'Hi' },
                  { type: 'image_url', image_url: { url: image } },
                ],
              },
            ],
          },
        }),
        await request(`${srv.url}/v1/chat/completions`, {
          json: {
            model: srv.ctx.engine.status.model,
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'Hi' },
                  { type: 'image_url', image_url: { url: image } },
                ],
              },
              { role: 'assistant', content: text },
              { role: 'user', content: 'And now?' },
            ],
          },
        }),
      ];
      for (const r of replies) {
        assertProblem(r, 400, 'invalid-request');
        assert.ok(r.json<{ detail: string }>().detail.includes(`control token ${token}`), r.text);
      }
    }
  });

  test('a bad request sent with innocent ones: it gets its 400, they get the answers they get alone', async () => {
    const image = dataUrl(png);
    const ask = (question: string) => request(`${srv.url}/v1/vqa`, { json: { image, question, ...QUICK } });
    const alone = (await ask('How many shapes are there?')).json<{ text: string }>().text;
    const replies = await Promise.all(
      [
        'How many shapes are there?',
        'Is <|reserved_token_6|> red?',
        'How many shapes are there?',
        'How many shapes are there?',
      ].map(ask),
    );
    assertProblem(replies[1]!, 400, 'invalid-request');
    for (const i of [0, 2, 3]) {
      assert.equal(replies[i]!.status, 200, replies[i]!.text);
      assert.equal(replies[i]!.json<{ text: string }>().text, alone);
    }
  });

  test('a job that fails inside a real batch fails alone; its neighbours equal their single-job results', async () => {
    const engine = await sharedEngine();
    const image: RgbImage = await decodeImage(png);
    const sampling = { genLength: 16, blockLength: 16, steps: 16 };
    const questions = [
      'How many shapes are there?',
      'What colour is the circle?',
      'Compare <image> with <image>.',
      'Is there a square?',
    ];
    const single = await Promise.all(
      [0, 1, 3].map(async (i) => (await engine.vqa(image, questions[i]!, { sampling })).tokens),
    );
    // submitted in one tick: one batch, in which the third job's prompt cannot be laid out
    const batch = await Promise.allSettled(questions.map((q) => engine.vqa(image, q, { sampling })));
    assert.equal(batch[2]!.status, 'rejected');
    assert.ok((batch[2] as PromiseRejectedResult).reason instanceof PromptError);
    [0, 1, 3].forEach((i, k) => {
      assert.equal(batch[i]!.status, 'fulfilled', String((batch[i] as PromiseRejectedResult).reason));
      assert.deepEqual((batch[i] as PromiseFulfilledResult<{ tokens: number[] }>).value.tokens, single[k]);
    });
  });
});
