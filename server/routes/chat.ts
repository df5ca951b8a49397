// POST /v1/chat/completions (OpenAI-compatible): the conversation in LaViDa's chat template with its one image,
// answered by the VQA pipeline over the server's canvas; OpenAI's max_tokens, stop, n, seed and logprobs shape
// the choices (openai/); what is not implemented is refused (openai/parameters.ts). With `stream`, chunks carry
// each choice's text as soon as it is settled.
import { randomInt } from 'node:crypto';
import { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { checkModel, unixNow, type AppContext } from '../context.js';
import { extractAnswer } from '../engine/answer.js';
import { decodeRequestImage } from '../images.js';
import { randomId } from '../ids.js';
import { runJob } from '../jobs.js';
import { checkContext, promptLength, textOptions } from '../knobs.js';
import { requestBody } from '../middleware/body.js';
import { ChatStream } from '../openai/chat-stream.js';
import { finishCompletion, stopStrings, tokenLogprobs, type CompletionLimits } from '../openai/completion.js';
import { chatPrompt, problemAt } from '../openai/conversation.js';
import { screenChatParameters } from '../openai/parameters.js';
import { HttpProblem } from '../problem.js';
import { reasoningOf } from '../render.js';
import { EventStream } from '../sse.js';
import { firstTokenTimer } from '../first-token.js';

type S = components['schemas'];

const SEEDS = 2 ** 32;

const answerOf = (text: string): S['ChatAnswer'] => ({ answer: extractAnswer(text), reasoning: reasoningOf(text) });

export function chatRouter(ctx: AppContext): Router {
  const router = Router();
  router.post('/', requestBody(ctx.config, 'ChatCompletionRequest', undefined, screenChatParameters), async (req, res) => {
    const t0 = performance.now();
    const body = req.body as S['ChatCompletionRequest'];
    checkModel(ctx, body.model);
    const m = ctx.engine.model;
    const n = body.n ?? 1;
    const temperature = body.temperature ?? 0;
    if (n > 1 && temperature === 0) {
      throw new HttpProblem('invalid-request', 'n > 1 needs temperature > 0: greedy decoding gives the same completion every time', { param: 'n' });
    }
    const limits: CompletionLimits = { maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined, stop: stopStrings(body.stop) };
    const canvas = textOptions(m, { temperature });
    // decode only the blocks the capped completion can reach: the tokens before them are the same either way
    const decodeTokens = limits.maxTokens !== undefined && limits.maxTokens < canvas.genLength
      ? Math.ceil(limits.maxTokens / canvas.blockLength) * canvas.blockLength : undefined;
    const sampling = { ...canvas, ...(decodeTokens === undefined ? {} : { decodeTokens }) };
    const { conversation, image: bytes, imageParam } = chatPrompt(m.tokenizer, body.messages);
    const seed = temperature > 0 ? body.seed ?? randomInt(SEEDS) : undefined;
    if (seed !== undefined) res.set('X-Lavida-Seed', String(seed));
    await runJob(ctx, res, 'chat', async (signal) => {
      const image = await decodeRequestImage(ctx, bytes).then((d) => d.image, (e: unknown) => Promise.reject(problemAt(e, imageParam)));
      try {
        checkContext(m, promptLength(m, conversation, image, false), sampling.genLength);
      } catch (e) {
        throw problemAt(e, 'messages');
      }
      const head = { id: randomId('chatcmpl'), created: unixNow() };
      const stream = body.stream ? new ChatStream((res.locals.stream = new EventStream(res)), m, head, limits, n) : undefined;
      const firstToken = firstTokenTimer(ctx.metrics, 'chat', t0);
      const results = await Promise.all(Array.from({ length: n }, (_, i) => ctx.engine.vqa(image, conversation, {
        signal, sampling, seed: seed === undefined ? undefined : (seed + i) % SEEDS, onStep: (e) => {
          firstToken();
          stream?.step(i, e.tokens);
        },
      })));
      const completions = results.map((r) => finishCompletion(m, r.tokens, limits));
      const promptTokens = results[0]!.promptTokens;
      const completionTokens = completions.reduce((sum, c) => sum + c.tokens.length, 0);
      const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
      ctx.metrics.promptTokens.inc({ task: 'chat' }, promptTokens);
      ctx.metrics.completionTokens.inc({ task: 'chat' }, completionTokens);
      ctx.metrics.nfe.observe({ task: 'chat' }, results.reduce((sum, r) => sum + r.nfe, 0));
      if (stream) return stream.finish(completions, body.stream_options?.include_usage ? usage : undefined);
      const out: S['ChatCompletion'] = {
        ...head, object: 'chat.completion', model: m.id,
        choices: completions.map((c, i) => ({
          index: i, message: { role: 'assistant', content: c.text }, finish_reason: c.finish,
          logprobs: body.logprobs ? { content: tokenLogprobs(m, c, results[i]!.confidence) } : null, lavida: answerOf(c.text),
        })),
        usage, lavida: { ...answerOf(completions[0]!.text), nfe: Math.max(...results.map((r) => r.nfe)) },
      };
      res.json(out);
    });
  });
  return router;
}
