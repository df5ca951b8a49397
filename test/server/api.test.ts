// Every endpoint's happy path over a real socket, with images encoded by sharp; every response is checked
// against openapi.yaml (conformance.ts), including the OpenAI client's and the SSE streams.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import sharp from 'sharp';
import { allConform, conformingFetch, parseEvents, request } from './conformance.js';
import { dataUrl, shapesJpeg, shapesPng } from './fixtures.js';
import { NO_PACKAGE, useServer } from './harness.js';

describe('endpoints', { skip: NO_PACKAGE }, () => {
  after(allConform); // before useServer's own `after` closes the server
  const srv = useServer();
  let png: Buffer;
  let model: string;
  before(async () => {
    png = await shapesPng();
    model = srv.ctx.engine.status.model;
  });

  test('POST /v1/vqa (JSON, data URL): reasoning, answer, text, usage, timings', async () => {
    const r = await request(`${srv.url}/v1/vqa`, {
      json: { image: dataUrl(png), question: 'What colour is the square?' },
    });
    assert.equal(r.status, 200);
    const body = r.json<{
      text: string;
      reasoning: string;
      usage: { nfe: number; prompt_tokens: number; total_tokens: number; completion_tokens: number };
    }>();
    assert.ok(body.usage.nfe > 0 && body.usage.prompt_tokens > 0);
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
    assert.ok(body.text.trim().startsWith(body.reasoning.slice(0, 10)));
  });

  // FormData sends the question's line break as CRLF (the form encoding); the server restores \n.
  test('POST /v1/vqa (multipart JPEG upload, knobs as fields) matches the same request as JSON', async () => {
    const jpeg = await shapesJpeg();
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'shapes.jpg');
    form.set('question', 'How many shapes are there?\nAnswer with a number.');
    form.set('max_tokens', '32');
    form.set('block_length', '16');
    form.set('threshold', '0.9');
    const up = await request(`${srv.url}/v1/vqa`, { method: 'POST', body: form });
    assert.equal(up.status, 200, up.text);
    const js = await request(`${srv.url}/v1/vqa`, {
      json: {
        image: jpeg.toString('base64'),
        question: 'How many shapes are there?\nAnswer with a number.',
        max_tokens: 32,
        block_length: 16,
        threshold: 0.9,
      },
    });
    assert.equal(
      up.json<{ usage: { prompt_tokens: number } }>().usage.prompt_tokens,
      js.json<{ usage: { prompt_tokens: number } }>().usage.prompt_tokens,
    );
    assert.equal(up.json().text, js.json().text);
  });

  test('POST /v1/vqa dual_cache (JSON and multipart): block passes run against the window', async () => {
    const rt = srv.ctx.engine.model.runtime;
    const passRows = rt.passRows.bind(rt);
    const windowPasses: boolean[] = [];
    // a pass against the window runs the 16-token block alone, the others the whole 32-token canvas
    rt.passRows = (lease, rows, t) => (windowPasses.push(rows[0]!.canvas.length === 16), passRows(lease, rows, t));
    try {
      const knobs = { max_tokens: 32, block_length: 16, threshold: 0.9 };
      const js = await request(`${srv.url}/v1/vqa`, {
        json: { image: dataUrl(png), question: 'How many shapes are there?', ...knobs, dual_cache: true },
      });
      assert.equal(js.status, 200, js.text);
      assert.ok(windowPasses.includes(true), 'some passes ran against the dual-cache window');
      const form = new FormData();
      form.set('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'shapes.png');
      form.set('question', 'How many shapes are there?');
      for (const [k, v] of Object.entries({ ...knobs, dual_cache: true })) form.set(k, String(v));
      const up = await request(`${srv.url}/v1/vqa`, { method: 'POST', body: form });
      assert.equal(up.status, 200, up.text);
      assert.deepEqual(
        [up.json().text, up.json<{ usage: { nfe: number } }>().usage.nfe],
        [js.json().text, js.json<{ usage: { nfe: number } }>().usage.nfe],
      );
      windowPasses.length = 0;
      await request(`${srv.url}/v1/vqa`, {
        json: { image: dataUrl(png), question: 'How many shapes are there?', ...knobs },
      });
      assert.ok(windowPasses.length > 0 && !windowPasses.includes(true), 'without the knob no pass uses a window');
    } finally {
      rt.passRows = passRows;
    }
  });

  test('temperature + seed: /v1/vqa reproduces per seed (JSON and multipart), chat completions sample the same way', async () => {
    const knobs = { max_tokens: 32, block_length: 16, temperature: 1.5 };
    const vqa = async (seed: number) => {
      const r = await request(`${srv.url}/v1/vqa`, {
        json: { image: dataUrl(png), question: 'How many shapes?', ...knobs, seed },
      });
      assert.equal(r.status, 200, r.text);
      return r.json<{ text: string }>().text;
    };
    const [a, again, b] = [await vqa(3), await vqa(3), await vqa(4)];
    assert.equal(again, a);
    assert.notEqual(b, a);
    // no seed: one is drawn and sent back, and it reproduces the answer
    const unseeded = await request(`${srv.url}/v1/vqa`, {
      json: { image: dataUrl(png), question: 'How many shapes?', ...knobs },
    });
    const drawn = Number(unseeded.headers.get('x-lavida-seed'));
    assert.ok(Number.isInteger(drawn) && drawn >= 0, `X-Lavida-Seed ${unseeded.headers.get('x-lavida-seed')}`);
    assert.equal(await vqa(drawn), unseeded.json<{ text: string }>().text);
    const greedy = await request(`${srv.url}/v1/vqa`, {
      json: { image: dataUrl(png), question: 'How many shapes?', max_tokens: 32, block_length: 16 },
    });
    assert.equal(greedy.headers.get('x-lavida-seed'), null, 'greedy answers have no seed');
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'shapes.png');
    form.set('question', 'How many shapes?');
    for (const [k, v] of Object.entries({ ...knobs, seed: 3 })) form.set(k, String(v));
    const up = await request(`${srv.url}/v1/vqa`, { method: 'POST', body: form });
    assert.equal(up.json<{ text: string }>().text, a);
    // chat decodes over the default canvas (max_tokens only caps it): as VQA without knobs
    const chat = await request(`${srv.url}/v1/chat/completions`, {
      json: {
        model,
        temperature: 1.5,
        seed: 3,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: dataUrl(png) } },
              { type: 'text', text: 'How many shapes?' },
            ],
          },
        ],
      },
    });
    assert.equal(chat.status, 200, chat.text);
    const onDefaultCanvas = await request(`${srv.url}/v1/vqa`, {
      json: { image: dataUrl(png), question: 'How many shapes?', temperature: 1.5, seed: 3 },
    });
    assert.equal(
      chat.json<{ choices: Array<{ message: { content: string } }> }>().choices[0]!.message.content,
      onDefaultCanvas.json<{ text: string }>().text,
    );
  });

  test('POST /v1/vqa stream: step events with partial canvases, the result, then [DONE]', async () => {
    const r = await request(`${srv.url}/v1/vqa`, {
      json: {
        image: dataUrl(png),
        question: 'What colour is the circle?',
        max_tokens: 16,
        block_length: 16,
        steps: 8,
        stream: true,
      },
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^text\/event-stream/);
    const events = parseEvents(r.text);
    const steps = events
      .filter((e) => e.event === 'step')
      .map((e) => JSON.parse(e.data) as { nfe: number; masked: number });
    assert.ok(steps.length >= 1 && steps.length <= 8);
    assert.deepEqual(
      steps.map((s) => s.nfe),
      steps.map((_, i) => i + 1),
    );
    assert.ok(steps.at(0)!.masked > steps.at(-1)!.masked);
    const result = JSON.parse(events.find((e) => e.event === 'result')!.data) as { usage: { nfe: number } };
    assert.equal(result.usage.nfe, steps.length);
    assert.equal(events.at(-1)!.data, '[DONE]');
  });

  test('POST /v1/ground: a valid box in pixels of the original image, normalized, and LOC bins', async () => {
    const r = await request(`${srv.url}/v1/ground`, {
      json: { image: dataUrl(png), description: 'the red square', steps: 2 },
    });
    assert.equal(r.status, 200);
    const body = r.json<{
      image: { width: number; height: number };
      boxes: Array<{ bbox_2d: number[]; normalized: number[]; loc_bins: number[]; loc_text: string }>;
    }>();
    assert.deepEqual(body.image, { width: 96, height: 64 });
    const [box] = body.boxes;
    assert.ok(box);
    box.bbox_2d.forEach((v, i) => assert.ok(Math.abs(v / (i % 2 ? 64 : 96) - box.normalized[i]!) < 1e-9));
    assert.equal(box.loc_text, `<LOC_BEGIN>${box.loc_bins.map((b) => `<LOC_${b}>`).join('')}<LOC_END>`);
    assert.ok(box.bbox_2d[2]! > box.bbox_2d[0]! && box.bbox_2d[3]! > box.bbox_2d[1]!, `a valid box: ${box.bbox_2d}`);
  });

  test('POST /v1/edit (multipart) answers a PNG; response_format b64_json answers JSON with the same image', async () => {
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'shapes.png');
    form.set('instruction', 'make the square green');
    const r = await request(`${srv.url}/v1/edit`, { method: 'POST', body: form });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/png');
    const meta = await sharp(r.bytes).metadata();
    assert.equal(meta.format, 'png');
    const js = await request(`${srv.url}/v1/edit`, {
      json: { image: dataUrl(png), instruction: 'make the square green', response_format: 'b64_json' },
    });
    const body = js.json<{ image: { b64_json: string; width: number }; settings: { seed: number } }>();
    assert.equal(body.image.width, meta.width);
    assert.ok(Buffer.from(body.image.b64_json, 'base64').equals(r.bytes));
    assert.equal(r.headers.get('x-lavida-seed'), String(body.settings.seed));
  });

  test('POST /v1/edit stream: plan steps, then image previews filling up, the result, [DONE]', async () => {
    const r = await request(`${srv.url}/v1/edit`, {
      json: {
        image: dataUrl(png),
        instruction: 'make the circle red',
        stream: true,
        steps: 4,
        plan_steps: 8,
        preview_every: 1,
      },
    });
    assert.equal(r.status, 200);
    const events = parseEvents(r.text);
    const steps = events
      .filter((e) => e.event === 'step')
      .map((e) => JSON.parse(e.data) as { phase: string; committed?: number });
    assert.equal(steps.filter((s) => s.phase === 'plan').length, 8);
    const image = steps.filter((s) => s.phase === 'image');
    assert.equal(image.length, 4);
    assert.ok(image.every((s, i) => i === 0 || s.committed! > image[i - 1]!.committed!));
    assert.equal(events.at(-2)!.event, 'result');
  });

  test('POST /v1/chat/completions with the openai client, plain and streaming', async () => {
    const client = new OpenAI({ baseURL: `${srv.url}/v1`, apiKey: 'unused', fetch: conformingFetch, maxRetries: 0 });
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What colour is the square?' },
          { type: 'image_url', image_url: { url: dataUrl(png) } },
        ],
      },
    ];
    const plain = await client.chat.completions.create({ model, messages, max_tokens: 32 });
    assert.equal(plain.choices[0]!.message.role, 'assistant');
    assert.ok(plain.usage!.prompt_tokens > 0);
    const stream = await client.chat.completions.create({
      model,
      messages,
      max_tokens: 32,
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    assert.equal(content, plain.choices[0]!.message.content);
    assert.deepEqual(usage, plain.usage);
  });

  test('chat SSE on the wire ends with data: [DONE]', async () => {
    const r = await request(`${srv.url}/v1/chat/completions`, {
      json: {
        model,
        stream: true,
        max_tokens: 16,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: dataUrl(png) } },
              { type: 'text', text: 'Colour?' },
            ],
          },
        ],
      },
    });
    assert.ok(r.text.endsWith('data: [DONE]\n\n'));
  });

  test('GET /v1/models, /healthz, /readyz, /openapi.yaml, /metrics', async () => {
    assert.equal((await request(`${srv.url}/v1/models`)).json<{ data: Array<{ id: string }> }>().data[0]!.id, model);
    assert.equal((await request(`${srv.url}/healthz`)).status, 200);
    const ready = (await request(`${srv.url}/readyz`)).json<{ provider: string; fallback_reason: string | null }>();
    assert.equal(ready.provider, srv.ctx.engine.status.provider);
    assert.match((await request(`${srv.url}/openapi.yaml`)).text, /^openapi: 3\.1/);
    const metrics = (await request(`${srv.url}/metrics`)).text;
    for (const name of [
      'lavida_http_requests_total',
      'lavida_http_request_duration_seconds_bucket',
      'lavida_queue_depth',
      'lavida_prompt_tokens_total',
      'lavida_completion_tokens_total',
      'lavida:request_nfe_bucket',
      'lavida_jobs_total',
    ]) {
      assert.match(metrics, new RegExp(`^${name}`, 'm'), name);
    }
    assert.match(metrics, /lavida_jobs_total\{task="vqa",outcome="ok"\} [1-9]/);
  });
});
