// Answer canvases per task: GET /v1/models lists the package's, a VQA request's `task` picks its canvas (the
// longest without one), explicit knobs override, an unknown task is a 400.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TextSamplerOptions } from '../../server/engine/sampling/text.js';
import { allConform, parseEvents, request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, useServer } from './harness.js';
import { assertProblem, upload } from './problems.js';

type Task = 'math' | 'chart' | 'mcq';

describe('answer canvases per task', { skip: NO_PACKAGE }, () => {
  after(allConform); // before useServer's own `after` closes the server
  const srv = useServer();
  let png: Buffer;
  let canvases: Record<Task, number>;
  before(async () => {
    png = await shapesPng();
    canvases = srv.ctx.engine.model.layout.sampling.canvases!;
  });

  /** The canvas a streamed VQA request decoded over: the length of its first step's canvas. */
  const streamedCanvas = async (fields: Record<string, unknown>): Promise<number> => {
    const r = await request(`${srv.url}/v1/vqa`, {
      json: { image: dataUrl(png), question: 'How many shapes?', threshold: 0.01, stream: true, ...fields },
    });
    assert.equal(r.status, 200, r.text);
    const step = parseEvents(r.text).find((e) => e.event === 'step')!;
    return (JSON.parse(step.data) as { tokens: unknown[] }).tokens.length;
  };

  test('the package has distinct canvases, and GET /v1/models lists them with the default (the longest)', async () => {
    assert.ok(new Set(Object.values(canvases)).size > 1, JSON.stringify(canvases));
    const r = await request(`${srv.url}/v1/models`);
    const { lavida } = r.json<{ data: Array<{ lavida: { canvases: Record<Task, number>; default_canvas: number } }> }>()
      .data[0]!;
    assert.deepEqual(lavida, { canvases, default_canvas: Math.max(...Object.values(canvases)) });
  });

  test('a task decodes over its canvas, one token per pass by default; no task: the longest', async () => {
    for (const task of ['math', 'chart', 'mcq'] as const)
      assert.equal(await streamedCanvas({ task }), canvases[task], task);
    assert.equal(await streamedCanvas({}), Math.max(...Object.values(canvases)));
    const seen: Array<Partial<TextSamplerOptions> | undefined> = [];
    const vqa = srv.ctx.engine.vqa.bind(srv.ctx.engine);
    srv.ctx.engine.vqa = (image, question, o) => (seen.push(o?.sampling), vqa(image, question, o));
    try {
      const r = await request(`${srv.url}/v1/vqa`, {
        json: { image: dataUrl(png), question: 'Which option?', task: 'mcq' },
      });
      assert.equal(r.status, 200, r.text);
      const usage = r.json<{ usage: { completion_tokens: number; nfe: number } }>().usage;
      assert.ok(usage.completion_tokens <= canvases.mcq && usage.nfe <= canvases.mcq, JSON.stringify(usage));
      assert.deepEqual([seen[0]?.genLength, seen[0]?.blockLength, seen[0]?.steps], [canvases.mcq, 16, canvases.mcq]);
    } finally {
      srv.ctx.engine.vqa = vqa;
    }
  });

  test('explicit knobs override the task canvas (JSON and multipart)', async () => {
    assert.equal(await streamedCanvas({ task: 'math', max_tokens: 32 }), 32);
    const form = upload(png, 'image/png', {
      question: 'How many shapes?',
      task: 'mcq',
      max_tokens: '16',
      threshold: '0.01',
      stream: 'true',
    });
    const r = await request(`${srv.url}/v1/vqa`, { method: 'POST', body: form });
    assert.equal(r.status, 200, r.text);
    assert.equal(
      (JSON.parse(parseEvents(r.text).find((e) => e.event === 'step')!.data) as { tokens: unknown[] }).tokens.length,
      16,
    );
  });

  test('an unknown task → 400 (JSON and multipart)', async () => {
    assertProblem(
      await request(`${srv.url}/v1/vqa`, { json: { image: dataUrl(png), question: 'q', task: 'grounding' } }),
      400,
      'invalid-request',
    );
    const form = upload(png, 'image/png', { question: 'q', task: 'poetry' });
    assertProblem(await request(`${srv.url}/v1/vqa`, { method: 'POST', body: form }), 400, 'invalid-request');
  });
});
