// OpenAI semantics on the OpenAI-compatible routes, through the official `openai` npm client over a real socket
// (every response also checked against openapi.yaml): errors the client raises with the server's own message
// (bad model, bad image, oversized body, wrong key, a deadline mid-stream), max_tokens as a cap, stop strings,
// n seeded choices, logprobs, refused parameters, the conversation in the chat template, /v1/models/{model}.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI, { APIError } from 'openai';
import { renderConversation, SYSTEM_PROMPT, type Conversation } from '../../server/engine/text/chat-template.js';
import { allConform, conformingFetch, request } from './conformance.js';
import { dataUrl, shapesPng } from './fixtures.js';
import { NO_PACKAGE, startServer, useServer } from './harness.js';

type Params = OpenAI.ChatCompletionCreateParamsNonStreaming;

const QUESTION = 'How many shapes are there?';

describe('OpenAI-compatible routes with the openai client', { skip: NO_PACKAGE }, () => {
  after(allConform); // before useServer's own `after` closes the server
  const srv = useServer();
  let client: OpenAI;
  let png: Buffer;
  let model: string;
  const clientOf = (url: string, apiKey = 'unused') =>
    new OpenAI({ baseURL: `${url}/v1`, apiKey, fetch: conformingFetch, maxRetries: 0 });
  const ask = (text = QUESTION, image = dataUrl(png)): OpenAI.ChatCompletionMessageParam[] => [
    {
      role: 'user',
      content: [
        { type: 'text', text },
        { type: 'image_url', image_url: { url: image } },
      ],
    },
  ];
  const create = (over: Partial<Params> = {}) => client.chat.completions.create({ model, messages: ask(), ...over });
  /** The error `fn` rejects with, which must be the client's APIError. */
  const apiError = async (fn: () => Promise<unknown>): Promise<APIError> => {
    const e = await fn().then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(e instanceof APIError, `expected an APIError, got ${String(e)}`);
    return e;
  };
  /** The problem detail the server answers for the same request body (what the client must surface). */
  const detailOf = async (body: object): Promise<string> =>
    (await request(`${srv.url}/v1/chat/completions`, { json: body })).json<{ detail: string }>().detail;

  before(async () => {
    client = clientOf(srv.url);
    png = await shapesPng();
    model = srv.ctx.engine.status.model;
  });

  test('a bad model name: NotFoundError with the server message, code and param; /v1/models/{model}', async () => {
    const e = await apiError(() => create({ model: 'gpt-17' }));
    assert.ok(e instanceof OpenAI.NotFoundError);
    assert.equal(e.message, `404 ${await detailOf({ model: 'gpt-17', messages: ask() })}`);
    assert.match(e.message, /"gpt-17" is not served here/);
    assert.deepEqual([e.code, e.param, e.type], ['model_not_found', 'model', 'invalid_request_error']);
    assert.equal((await client.models.retrieve(model)).id, model);
    const missing = await apiError(() => client.models.retrieve('gpt-17'));
    assert.deepEqual([missing.status, missing.code], [404, 'model_not_found']);
    const listed = [];
    for await (const m of client.models.list()) listed.push(m.id);
    assert.deepEqual(listed, [model]);
  });

  test('a bad image: the decode error with the image part as param; the other routes stay plain problems', async () => {
    const truncated = dataUrl(png.subarray(0, png.length >> 1));
    const e = await apiError(() => create({ messages: ask(QUESTION, truncated) }));
    assert.ok(e instanceof OpenAI.UnprocessableEntityError);
    assert.equal(e.message, `422 ${await detailOf({ model, messages: ask(QUESTION, truncated) })}`);
    assert.match(e.message, /could not be decoded/);
    assert.deepEqual([e.code, e.param], ['undecodable_image', 'messages[0].content[1].image_url.url']);
    const vqa = await request(`${srv.url}/v1/vqa`, { json: { image: truncated, question: QUESTION } });
    assert.equal(vqa.status, 422);
    assert.equal(vqa.json().error, undefined, 'only the OpenAI routes carry the error object');
  });

  test('an oversized request and a wrong key: PayloadTooLarge (413) and AuthenticationError with the server messages', async () => {
    const small = await startServer({ maxJsonBytes: 512, apiKeys: ['right-key'] });
    try {
      const big = await apiError(() =>
        clientOf(small.url, 'right-key').chat.completions.create({ model, messages: ask() }),
      );
      assert.equal(big.status, 413);
      assert.match(big.message, /^413 the JSON body is over the size limit/);
      assert.equal(big.code, 'payload_too_large');
      const denied = await apiError(() =>
        clientOf(small.url, 'wrong-key').chat.completions.create({ model, messages: ask() }),
      );
      assert.ok(denied instanceof OpenAI.AuthenticationError);
      assert.deepEqual([denied.message, denied.type], ['401 missing or invalid credentials', 'authentication_error']);
    } finally {
      await small.close();
    }
  });

  test('a deadline mid-stream: the client raises it while iterating, after the first chunks', async () => {
    const hurried = await startServer({ deadlineMs: 50 });
    try {
      const stream = await clientOf(hurried.url).chat.completions.create({ model, messages: ask(), stream: true });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      const e = await apiError(async () => {
        for await (const chunk of stream) chunks.push(chunk);
      });
      assert.ok(chunks.length >= 1 && chunks[0]!.choices[0]!.delta.role === 'assistant', 'the stream had started');
      assert.match(e.message, /the request took longer than its 50 ms deadline/);
      assert.equal(e.code, 'deadline_exceeded');
    } finally {
      await hurried.close();
    }
  });

  test('max_tokens: 8 caps the completion (finish_reason length), decoding only the blocks it needs', async () => {
    const full = await create();
    assert.ok(
      full.usage!.completion_tokens > 8,
      `the uncapped completion is longer than 8 tokens: ${full.usage!.completion_tokens}`,
    );
    for (const capped of [
      await create({ max_tokens: 8 }),
      await create({ max_completion_tokens: 8, max_tokens: 64 }),
    ]) {
      assert.ok(
        capped.usage!.completion_tokens <= 8 && capped.usage!.completion_tokens > 0,
        JSON.stringify(capped.usage),
      );
      assert.equal(capped.choices[0]!.finish_reason, 'length');
      const content = capped.choices[0]!.message.content!;
      assert.ok(
        content.length > 0 && full.choices[0]!.message.content!.startsWith(content),
        `${content} is where the full completion starts`,
      );
      assert.ok(
        (capped as unknown as { lavida: { nfe: number } }).lavida.nfe <
          (full as unknown as { lavida: { nfe: number } }).lavida.nfe,
      );
    }
    const stream = await client.chat.completions.create({ model, messages: ask(), max_tokens: 8, stream: true });
    let streamed = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.deepEqual([streamed, finish], [(await create({ max_tokens: 8 })).choices[0]!.message.content, 'length']);
  });

  test('stop: the completion ends before the first stop string (finish_reason stop), streamed the same', async () => {
    const full = (await create()).choices[0]!.message.content!;
    const at = Math.floor(full.length / 2);
    const stop = full.slice(at, at + 3);
    const expected = full.slice(0, full.indexOf(stop));
    const cut = await create({ stop: ['never-in-the-text', stop] });
    assert.deepEqual([cut.choices[0]!.message.content, cut.choices[0]!.finish_reason], [expected, 'stop']);
    const stream = await client.chat.completions.create({ model, messages: ask(), stop, stream: true });
    let streamed = '';
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? '';
      assert.ok(!streamed.includes(stop), 'no chunk shows the stop string');
    }
    assert.equal(streamed, expected);
  });

  test('n: 2 samples two choices, choice i with seed + i, reproducibly; n > 1 without temperature is refused', async () => {
    const knobs = { temperature: 1.5, max_tokens: 24 };
    const two = await create({ ...knobs, n: 2, seed: 7 });
    assert.deepEqual(
      two.choices.map((c) => c.index),
      [0, 1],
    );
    const [a, b] = two.choices.map((c) => c.message.content);
    assert.notEqual(a, b);
    assert.deepEqual(
      (await create({ ...knobs, n: 2, seed: 7 })).choices.map((c) => c.message.content),
      [a, b],
    );
    assert.equal((await create({ ...knobs, seed: 8 })).choices[0]!.message.content, b);
    const greedy = await apiError(() => create({ n: 2 }));
    assert.deepEqual([greedy.status, greedy.param], [400, 'n']);
  });

  test('logprobs: one per completion token, each the log of a probability; not with stream', async () => {
    const r = await create({ logprobs: true, max_tokens: 16 });
    const content = r.choices[0]!.logprobs!.content!;
    assert.equal(content.length, r.usage!.completion_tokens);
    assert.ok(
      content.every((t) => t.logprob <= 0 && t.logprob > -9999 && t.top_logprobs.length === 0),
      JSON.stringify(content),
    );
    assert.ok(
      content.some((t) => t.logprob < 0),
      'not every token was certain',
    );
    const text = content.map((t) => t.token).join('');
    if (!text.includes('\uFFFD')) assert.equal(text, r.choices[0]!.message.content);
    const streamed = await apiError(() =>
      client.chat.completions.create({ model, messages: ask(), logprobs: true, stream: true }),
    );
    assert.deepEqual([streamed.status, streamed.param], [400, 'logprobs']);
  });

  test('unsupported parameters: a 400 naming each; values that change nothing are accepted', async () => {
    const refused: Array<[string, Partial<Params>]> = [
      ['tools', { tools: [{ type: 'function', function: { name: 'count', parameters: {} } }] }],
      ['response_format', { response_format: { type: 'json_object' } }],
      ['top_logprobs', { logprobs: true, top_logprobs: 3 }],
      ['top_p', { top_p: 0.5 }],
      ['frequency_penalty', { frequency_penalty: 0.5 }],
      ['unknown_knob', { unknown_knob: 1 } as Partial<Params>],
    ];
    for (const [param, over] of refused) {
      const e = await apiError(() => create(over));
      assert.ok(e instanceof OpenAI.BadRequestError, param);
      assert.equal(e.param, param);
      assert.match(e.message, new RegExp(param));
    }
    const audio = await apiError(() =>
      create({
        messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }],
      }),
    );
    assert.equal(audio.param, 'messages[0].content[0].type');
    const named = await apiError(() => create({ messages: [{ role: 'user', name: 'ann', content: QUESTION }] }));
    assert.equal(named.param, 'messages[0].name');
    const neutral = await create({
      max_tokens: 8,
      top_p: 1,
      presence_penalty: 0,
      response_format: { type: 'text' },
      tools: [],
      user: 'u1',
    });
    assert.equal(neutral.choices.length, 1);
  });

  test('a system message and earlier turns go into the chat template; more than one image is refused', async () => {
    const seen: Conversation[] = [];
    const vqa = srv.ctx.engine.vqa.bind(srv.ctx.engine);
    srv.ctx.engine.vqa = (image, question, o) => (seen.push(question as Conversation), vqa(image, question, o));
    let single: OpenAI.ChatCompletion;
    let multi: OpenAI.ChatCompletion;
    try {
      single = await create({ max_tokens: 8 });
      multi = await create({
        max_tokens: 8,
        messages: [
          { role: 'system', content: 'Answer briefly.' },
          { role: 'user', content: 'What is in the picture?' },
          { role: 'assistant', content: 'Two shapes.' },
          ...ask(),
        ],
      });
    } finally {
      srv.ctx.engine.vqa = vqa;
    }
    const h = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
    assert.equal(
      renderConversation(seen[1]!),
      `<|startoftext|>${h('system')}Answer briefly.<|eot_id|>` +
        `${h('user')}What is in the picture?<|eot_id|>${h('assistant')}Two shapes.<|eot_id|>${h('user')}<image>\n${QUESTION}<|eot_id|>${h('assistant')}`,
    );
    // the prompt the model saw is that text: the token counts differ by exactly the texts' difference
    const tok = srv.ctx.engine.model.tokenizer;
    const packageSystem = srv.ctx.engine.model.systemPrompt ? SYSTEM_PROMPT : null; // where the request brings none
    const count = (c: Conversation) =>
      tok.encode(renderConversation({ ...c, system: c.system === undefined ? packageSystem : c.system })).length;
    assert.equal(multi.usage!.prompt_tokens - single.usage!.prompt_tokens, count(seen[1]!) - count(seen[0]!));
    const second = dataUrl(png);
    const twice = await apiError(() =>
      create({ messages: [...ask('First?'), { role: 'assistant', content: 'One.' }, ...ask(QUESTION, second)] }),
    );
    assert.equal(twice.status, 400);
    assert.match(twice.message, /the conversation has 2 images .*the model reads one image per prompt/);
    assert.equal(twice.param, 'messages[2].content[1].image_url.url');
    const fromAssistant = await apiError(() =>
      create({
        messages: [
          {
            role: 'assistant',
            content: [{ type: 'image_url', image_url: { url: second } }],
          } as unknown as OpenAI.ChatCompletionMessageParam,
          { role: 'user', content: QUESTION },
        ],
      }),
    );
    assert.equal(fromAssistant.param, 'messages[0].content[0].image_url.url');
  });
});
