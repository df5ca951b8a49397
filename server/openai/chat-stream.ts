// A streamed chat completion: OpenAI's chunks for n choices over server-sent events. Each choice's text is sent
// as soon as it is settled (completion.ts), the rest with its finish reason at the end, then the usage chunk
// when asked for, then `data: [DONE]`.
import type { components } from '../../sdk/schema.js';
import type { Model } from '../engine/index.js';
import type { EventStream } from '../sse.js';
import { settledText, type Completion, type CompletionLimits } from './completion.js';

type S = components['schemas'];
type Delta = S['ChatCompletionChunk']['choices'][number]['delta'];

export class ChatStream {
  private readonly sent: string[];

  constructor(
    private readonly events: EventStream,
    private readonly m: Model,
    private readonly head: { id: string; created: number },
    private readonly limits: CompletionLimits,
    n: number,
  ) {
    this.sent = new Array<string>(n).fill('');
    this.sent.forEach((_, i) => this.send(i, { role: 'assistant', content: '' }, null));
  }

  private chunk(choices: S['ChatCompletionChunk']['choices']): S['ChatCompletionChunk'] {
    return { id: this.head.id, object: 'chat.completion.chunk', created: this.head.created, model: this.m.id, choices };
  }

  private send(index: number, delta: Delta, finish: S['ChatFinishReason'] | null): void {
    this.events.send(undefined, this.chunk([{ index, delta, finish_reason: finish }]));
  }

  /** Choice `index`'s canvas after a denoising pass. */
  step(index: number, canvas: readonly number[]): void {
    const text = settledText(this.m, canvas, this.limits);
    const sent = this.sent[index]!;
    if (text.length > sent.length && text.startsWith(sent)) {
      this.send(index, { content: text.slice(sent.length) }, null);
      this.sent[index] = text;
    }
  }

  /** The rest of each choice and its finish reason, the usage (when asked for), [DONE]. */
  finish(completions: Completion[], usage?: S['ChatCompletionUsage']): void {
    completions.forEach((c, i) => {
      const sent = this.sent[i]!;
      const rest = c.text.startsWith(sent) ? c.text.slice(sent.length) : '';
      this.send(i, rest ? { content: rest } : {}, c.finish);
    });
    if (usage) this.events.send(undefined, { ...this.chunk([]), usage });
    this.events.done();
  }
}
