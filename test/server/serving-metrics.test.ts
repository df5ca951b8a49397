// The serving histograms in /metrics, named as vLLM names its own: each request's time to first token (the first
// denoising pass's output; streamed or not) and its denoising passes per task, all its choices together.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, useServer } from './harness.js';

/** The value of one sample line of the exposition (`name{labels} value`). */
function sample(metrics: string, name: string, task: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{task="${task}"} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('serving metrics', { skip: NO_PACKAGE }, () => {
  const srv = useServer();
  let image: string;
  before(async () => {
    image = dataUrl(await shapesPng());
  });

  test('time to first token and NFE per task, after a VQA, a chat with two choices and a grounding', async () => {
    const question = 'How many shapes are there?';
    const t0 = performance.now();
    const vqa = await request(`${srv.url}/v1/vqa`, { json: { image, question, max_tokens: 16, steps: 4 } });
    const vqaSeconds = (performance.now() - t0) / 1000;
    assert.equal(vqa.status, 200, vqa.text);
    const chat = await request(`${srv.url}/v1/chat/completions`, {
      json: {
        model: srv.ctx.engine.status.model,
        n: 2,
        temperature: 0.7,
        seed: 3,
        max_tokens: 8,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: question },
              { type: 'image_url', image_url: { url: image } },
            ],
          },
        ],
      },
    });
    assert.equal(chat.status, 200, chat.text);
    const ground = await request(`${srv.url}/v1/ground`, { json: { image, description: 'the red square' } });
    assert.equal(ground.status, 200, ground.text);
    const metrics = (await request(`${srv.url}/metrics`)).text;

    assert.match(metrics, /^# TYPE lavida:time_to_first_token_seconds histogram$/m);
    assert.match(metrics, /^# TYPE lavida:request_nfe histogram$/m);
    for (const task of ['vqa', 'chat']) {
      assert.equal(
        sample(metrics, 'lavida:time_to_first_token_seconds_count', task),
        1,
        `one ${task} request observed once`,
      );
    }
    const vqaTtft = sample(metrics, 'lavida:time_to_first_token_seconds_sum', 'vqa')!;
    assert.ok(
      vqaTtft > 0 && vqaTtft < vqaSeconds,
      `the first pass (${vqaTtft} s) comes before the answer (${vqaSeconds} s)`,
    );
    assert.equal(
      sample(metrics, 'lavida:time_to_first_token_seconds_count', 'ground'),
      undefined,
      'grounding has no intermediate output',
    );

    assert.equal(sample(metrics, 'lavida:request_nfe_sum', 'vqa'), vqa.json<{ usage: { nfe: number } }>().usage.nfe);
    // two choices over the same canvas and steps: twice the passes of one (the response's lavida.nfe)
    assert.equal(sample(metrics, 'lavida:request_nfe_count', 'chat'), 1);
    assert.equal(
      sample(metrics, 'lavida:request_nfe_sum', 'chat'),
      2 * chat.json<{ lavida: { nfe: number } }>().lavida.nfe,
    );
    assert.equal(
      sample(metrics, 'lavida:request_nfe_sum', 'ground'),
      ground.json<{ usage: { nfe: number } }>().usage.nfe,
    );
    // 4 steps: the VQA falls in the bucket of 4 passes, not in the one of 2
    assert.match(metrics, /^lavida:request_nfe_bucket\{le="2",task="vqa"\} 0$/m);
    assert.match(metrics, /^lavida:request_nfe_bucket\{le="4",task="vqa"\} 1$/m);
  });
});
