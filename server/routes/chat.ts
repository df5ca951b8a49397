// POST /v1/chat/completions (OpenAI-compatible): the last user message's text is the question and the last
// image_url part of the user turns the image; answered by the VQA pipeline. With `stream`, chunks carry the
// text as soon as it is final: the decoded prefix before the first still-masked token.
import { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { checkModel, unixNow, type AppContext } from '../context.js';
import type { Model } from '../engine/model.js';
import { checkUserText } from '../engine/prompts.js';
import { decodeRequestImage, inlineImageBytes } from '../images.js';
import { randomId } from '../ids.js';
import { runJob } from '../jobs.js';
import { checkContext, promptLength, textOptions } from '../knobs.js';
import { requestBody } from '../middleware/body.js';
import { HttpProblem } from '../problem.js';
import { completionTokens, reasoningOf, stablePrefix } from '../render.js';
import { EventStream } from '../sse.js';

type S = components['schemas'];

/** The question (text parts of the last user message) and the image (data URL) of a conversation. */
export function questionAndImage(messages: S['ChatMessage'][]): { question: string; image: Uint8Array } {
  const users = messages.map((msg, i) => ({ msg, i })).filter(({ msg }) => msg.role === 'user');
  const last = users.at(-1);
  if (!last) throw new HttpProblem('invalid-request', 'messages: a user message is required');
  const parts = typeof last.msg.content === 'string' ? [{ type: 'text' as const, text: last.msg.content }] : last.msg.content;
  const question = parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n').trim();
  if (!question) throw new HttpProblem('invalid-request', 'messages: the last user message has no text');
  for (const { msg, i } of users.reverse()) {
    if (typeof msg.content === 'string') continue;
    for (let j = msg.content.length - 1; j >= 0; j--) {
      const part = msg.content[j]!;
      if (part.type === 'image_url') return { question, image: inlineImageBytes(part.image_url.url, `/messages/${i}/content/${j}/image_url/url`) };
    }
  }
  throw new HttpProblem('invalid-request', 'messages: this model answers questions about an image; add an image_url part (data: URL)');
}

/** Refuses a control-token string in any text part of the conversation, not only in the question the model sees. */
function checkMessages(m: Model, messages: S['ChatMessage'][]): void {
  messages.forEach((msg, i) => {
    const parts = typeof msg.content === 'string' ? [{ type: 'text' as const, text: msg.content }] : msg.content;
    parts.forEach((p, j) => {
      if (p.type !== 'text') return;
      try {
        checkUserText(m.tokenizer, p.text);
      } catch (e) {
        const at = typeof msg.content === 'string' ? `/messages/${i}/content` : `/messages/${i}/content/${j}/text`;
        throw new HttpProblem('invalid-request', `${at}: ${(e as Error).message}`);
      }
    });
  });
}

export function chatRouter(ctx: AppContext): Router {
  const router = Router();
  router.post('/', requestBody(ctx.config, 'ChatCompletionRequest'), async (req, res) => {
    const body = req.body as S['ChatCompletionRequest'];
    checkModel(ctx, body.model);
    const m = ctx.engine.model;
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    const sampling = textOptions(m, { max_tokens: maxTokens, temperature: body.temperature ?? undefined });
    checkMessages(m, body.messages);
    const { question, image: bytes } = questionAndImage(body.messages);
    await runJob(ctx, res, 'chat', async (signal) => {
      const { image } = await decodeRequestImage(ctx, bytes);
      checkContext(m, promptLength(m, question, image, false), sampling.genLength);
      const id = randomId('chatcmpl');
      const created = unixNow();
      const chunk = (delta: { role?: 'assistant'; content?: string }, finish: 'stop' | 'length' | null): S['ChatCompletionChunk'] =>
        ({ id, object: 'chat.completion.chunk', created, model: m.id, choices: [{ index: 0, delta, finish_reason: finish }] });
      const stream = body.stream ? (res.locals.stream = new EventStream(res)) : undefined;
      let sent = '';
      stream?.send(undefined, chunk({ role: 'assistant', content: '' }, null));
      const r = await ctx.engine.vqa(image, question, {
        signal, sampling, seed: body.seed ?? undefined,
        onStep: stream && ((e) => {
          const prefix = stablePrefix(m, e.tokens);
          // a prefix ending inside a multi-byte character decodes to U+FFFD: wait for the rest
          if (prefix.length > sent.length && prefix.startsWith(sent) && !prefix.endsWith('\uFFFD')) {
            stream.send(undefined, chunk({ content: prefix.slice(sent.length) }, null));
            sent = prefix;
          }
        }),
      });
      const completion = completionTokens(m, r.tokens);
      const finish = completion < r.tokens.length ? 'stop' : 'length';
      const usage = { prompt_tokens: r.promptTokens, completion_tokens: completion, total_tokens: r.promptTokens + completion };
      ctx.metrics.promptTokens.inc({ task: 'chat' }, r.promptTokens);
      ctx.metrics.completionTokens.inc({ task: 'chat' }, completion);
      ctx.metrics.nfe.observe({ task: 'chat' }, r.nfe);
      if (!stream) {
        const out: S['ChatCompletion'] = {
          id, object: 'chat.completion', created, model: m.id,
          choices: [{ index: 0, message: { role: 'assistant', content: r.text }, finish_reason: finish }], usage,
          lavida: { answer: r.answer, reasoning: reasoningOf(r.text), nfe: r.nfe },
        };
        return void res.json(out);
      }
      const rest = r.text.startsWith(sent) ? r.text.slice(sent.length) : '';
      stream.send(undefined, chunk(rest ? { content: rest } : {}, finish));
      if (body.stream_options?.include_usage) stream.send(undefined, { ...chunk({}, null), choices: [], usage });
      stream.done();
    });
  });
  return router;
}
