// POST /v1/chat/completions (OpenAI-compatible): the conversation in LaViDa's chat template with its one image,
// answered by the VQA pipeline over the server's canvas; OpenAI's max_tokens, stop, n, seed and logprobs shape
// the choices (openai/); what is not implemented is refused (openai/parameters.ts). With `stream`, chunks carry
// each choice's text as soon as it is settled.
import { randomInt } from 'node:crypto';
import type { Router } from 'express';
import type { components } from '../../sdk/schema.js';
import { unixNow, type AppContext } from '../context.js';
import { extractAnswer, planText } from '../engine/index.js';
import { randomId } from '../ids.js';
import { ChatStream } from '../openai/chat-stream.js';
import { finishCompletion, stopStrings, tokenLogprobs, type CompletionLimits } from '../openai/completion.js';
import { chatPrompt } from '../openai/conversation.js';
import { screenChatParameters } from '../openai/parameters.js';
import { HttpProblem } from '../problem.js';
import { reasoningOf } from '../render.js';
import { taskRouter } from './task-route.js';

type S = components['schemas'];

const SEEDS = 2 ** 32;

const answerOf = (text: string): S['ChatAnswer'] => ({ answer: extractAnswer(text), reasoning: reasoningOf(text) });

export function chatRouter(ctx: AppContext): Router {
  return taskRouter<S['ChatCompletionRequest']>(ctx, {
    task: 'chat',
    schema: 'ChatCompletionRequest',
    screen: screenChatParameters,
    accept: (body, _req, res) => {
      const m = ctx.engine.model;
      const n = body.n ?? 1;
      const temperature = body.temperature ?? 0;
      if (n > 1 && temperature === 0) {
        throw new HttpProblem(
          'invalid-request',
          'n > 1 needs temperature > 0: greedy decoding gives the same completion every time',
          { param: 'n' },
        );
      }
      const limits: CompletionLimits = {
        maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
        stop: stopStrings(body.stop),
      };
      const { conversation, image: bytes, imageParam } = chatPrompt(m.tokenizer, body.messages);
      const plan = planText(m, conversation, { temperature }, { completionCap: limits.maxTokens });
      const seed = temperature > 0 ? (body.seed ?? randomInt(SEEDS)) : undefined;
      if (seed !== undefined) res.set('X-Lavida-Seed', String(seed));
      return {
        plan,
        stream: Boolean(body.stream),
        imageBytes: () => bytes,
        params: { image: imageParam, prompt: 'messages' },
        run: async ({ image, signal, stream: events, onPass }) => {
          const head = { id: randomId('chatcmpl'), created: unixNow() };
          const stream = events && new ChatStream(events, m, head, limits, n);
          const results = await Promise.all(
            Array.from({ length: n }, (_, i) =>
              ctx.engine.vqa(image, conversation, {
                signal,
                sampling: plan.sampling,
                seed: seed === undefined ? undefined : (seed + i) % SEEDS,
                onStep: (e) => {
                  onPass();
                  stream?.step(i, e.tokens);
                },
              }),
            ),
          );
          const completions = results.map((r) => finishCompletion(m, r.tokens, limits));
          const promptTokens = results[0]!.promptTokens;
          const completionTokens = completions.reduce((sum, c) => sum + c.tokens.length, 0);
          const usage = {
            prompt_tokens: promptTokens,
            completion_tokens: completionTokens,
            total_tokens: promptTokens + completionTokens,
          };
          return {
            nfe: results.reduce((sum, r) => sum + r.nfe, 0),
            completionTokens,
            send: () => {
              if (stream) return stream.finish(completions, body.stream_options?.include_usage ? usage : undefined);
              const out: S['ChatCompletion'] = {
                ...head,
                object: 'chat.completion',
                model: m.id,
                choices: completions.map((c, i) => ({
                  index: i,
                  message: { role: 'assistant', content: c.text },
                  finish_reason: c.finish,
                  logprobs: body.logprobs ? { content: tokenLogprobs(m, c, results[i]!.confidence) } : null,
                  lavida: answerOf(c.text),
                })),
                usage,
                lavida: { ...answerOf(completions[0]!.text), nfe: Math.max(...results.map((r) => r.nfe)) },
              };
              res.json(out);
            },
          };
        },
      };
    },
  });
}
