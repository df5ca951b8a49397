// A chat completion cut from the answer canvas as OpenAI's parameters say: the tokens before the model's stop
// token, at most `max_tokens` of them, and the text before the first `stop` string; the finish reason that
// follows; the text a stream may show while the canvas is still being denoised; the chosen tokens'
// log-probabilities.
import type { components } from '../../sdk/schema.js';
import type { Model } from '../engine/index.js';

type S = components['schemas'];

export interface CompletionLimits {
  maxTokens?: number;
  stop: string[];
}

export interface Completion {
  text: string;
  tokens: number[]; // the completion's tokens (those the text was decoded from)
  finish: S['ChatFinishReason'];
}

/** The `stop` parameter as a list. */
export const stopStrings = (stop: S['ChatStop'] | undefined): string[] =>
  stop == null ? [] : typeof stop === 'string' ? [stop] : stop;

/** Where the first stop string starts in `text`, or -1. */
function firstStop(text: string, stop: string[]): number {
  const at = stop.map((s) => text.indexOf(s)).filter((i) => i >= 0);
  return at.length ? Math.min(...at) : -1;
}

/** The decided run: tokens before the first stop token or still-masked position; `ended`: a stop token ends it. */
function decidedRun(m: Model, tokens: readonly number[]): { run: number[]; ended: boolean } {
  const c = m.config;
  const end = tokens.findIndex((t) => t === c.eos_token_id || t === c.eot_token_id || t === c.mask_token_id);
  return end < 0
    ? { run: [...tokens], ended: false }
    : { run: tokens.slice(0, end), ended: tokens[end] !== c.mask_token_id };
}

/** The fewest leading tokens whose text reaches `chars` characters. */
function tokensCovering(m: Model, run: number[], chars: number): number {
  let k = 0;
  while (k < run.length && m.tokenizer.decode(run.slice(0, k)).length < chars) k++;
  return k;
}

/** The completion of a decoded canvas (every block `max_tokens` needs is decoded). */
export function finishCompletion(m: Model, canvas: readonly number[], limits: CompletionLimits): Completion {
  const { run, ended } = decidedRun(m, canvas);
  const capped = limits.maxTokens !== undefined && run.length > limits.maxTokens;
  const tokens = capped ? run.slice(0, limits.maxTokens) : run;
  const text = m.tokenizer.decode(tokens);
  const cut = firstStop(text, limits.stop);
  if (cut >= 0)
    return { text: text.slice(0, cut), tokens: tokens.slice(0, tokensCovering(m, tokens, cut)), finish: 'stop' };
  return { text, tokens, finish: ended && !capped ? 'stop' : 'length' };
}

/** The text a stream can show of a canvas still being denoised: the decided run, capped and cut like the final
 *  completion, less any end that may still become a stop string or is part of a multi-byte character. */
export function settledText(m: Model, canvas: readonly number[], limits: CompletionLimits): string {
  const { run } = decidedRun(m, canvas);
  const text = m.tokenizer.decode(limits.maxTokens === undefined ? run : run.slice(0, limits.maxTokens));
  const cut = firstStop(text, limits.stop);
  if (cut >= 0) return text.slice(0, cut);
  let keep = text.length;
  for (const s of limits.stop) {
    for (let len = Math.min(s.length - 1, text.length); len > 0; len--) {
      if (text.endsWith(s.slice(0, len))) {
        keep = Math.min(keep, text.length - len);
        break;
      }
    }
  }
  return text.slice(0, keep).replace(/\uFFFD+$/, '');
}

/** OpenAI's logprobs of the completion's tokens: the log of each token's probability at the pass that decided
 *  it (`confidence`, per canvas position); -9999 stands for a probability that underflowed to 0. */
export function tokenLogprobs(
  m: Model,
  completion: Completion,
  confidence: readonly number[],
): S['ChatTokenLogprob'][] {
  return completion.tokens.map((id, i) => {
    const token = m.tokenizer.decode([id]);
    return {
      token,
      logprob: Math.min(0, Math.max(-9999, Math.log(confidence[i]!))),
      bytes: [...Buffer.from(token, 'utf8')],
      top_logprobs: [],
    };
  });
}
