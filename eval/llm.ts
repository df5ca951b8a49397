// A minimal client for any OpenAI-compatible chat-completions endpoint (answer extraction, edit judging).

export type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ContentPart[];
}

export interface ChatClientOptions {
  /** Base URL up to and including /v1, e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  model: string;
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
  /** Total attempts (lmms-eval uses 5). */
  attempts?: number;
  timeoutMs?: number;
}

export class ChatError extends Error {
  override name = 'ChatError';
}

export type ChatFn = (messages: ChatMessage[]) => Promise<string>;

/** Returns a function that sends one chat request (retrying) and resolves to the first choice's text. */
export function chatClient(opts: ChatClientOptions): ChatFn {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const attempts = Math.max(1, opts.attempts ?? 5);
  return async (messages) => {
    const body: Record<string, unknown> = { model: opts.model, messages };
    if (opts.temperature !== undefined) body.temperature = opts.temperature;
    if (opts.maxTokens !== undefined) body.max_tokens = opts.maxTokens;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    let last = 'no attempt made';
    for (let k = 0; k < attempts; k++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
        });
        if (!res.ok) {
          last = `HTTP ${res.status}`;
          continue;
        }
        const json = (await res.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
        const content = json.choices?.[0]?.message?.content;
        if (typeof content === 'string') return content;
        last = 'response without choices[0].message.content';
      } catch (e) {
        last = (e as Error).message;
      }
    }
    throw new ChatError(`chat request to ${url} failed after ${attempts} attempt(s): ${last}`);
  };
}
