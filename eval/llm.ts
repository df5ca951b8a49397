// The one way eval/ talks to an OpenAI-compatible chat endpoint, through the `openai` package: the client (the key
// from a named environment variable; retries with backoff on connection errors, 408, 409, 429 and 5xx, honouring
// Retry-After; a per-attempt timeout), the reachability preflight, and a request's reply text. Used by
// `run --openai`, the MathVista answer extractor and the ImgEdit judge.
import OpenAI, { APIConnectionError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { UserError } from './errors.js';

export interface OpenAIEndpoint {
  /** Base URL up to and including /v1; requests go to URL/chat/completions. */
  url: string;
  /** The model name sent with every request. */
  model: string;
  /** The environment variable holding the API key (sent as the bearer token); none: no key is sent. */
  apiKeyEnv?: string;
}

export interface ClientOptions {
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts after the first (default 5). */
  maxRetries?: number;
}

export const MAX_RETRIES = 5;

export function openaiClient(e: Pick<OpenAIEndpoint, 'url' | 'apiKeyEnv'>, o: ClientOptions): OpenAI {
  // an explicit key (never OPENAI_API_KEY by default: this URL may be anyone's); the client needs one to be set
  const apiKey = e.apiKeyEnv === undefined ? 'EMPTY' : process.env[e.apiKeyEnv];
  if (!apiKey) throw new UserError(`the API key variable ${e.apiKeyEnv} is not set`);
  return new OpenAI({ baseURL: e.url, apiKey, timeout: o.timeoutMs, maxRetries: o.maxRetries ?? MAX_RETRIES });
}

/** The innermost cause's message: "fetch failed" ← "connect ECONNREFUSED …" says more. */
export function rootMessage(e: unknown): string {
  let root = e;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  return root instanceof Error ? root.message : String(root);
}

/** Preflight: an unreachable endpoint fails at once instead of as an error on every request. */
export async function checkReachable(client: OpenAI, url: string): Promise<void> {
  try {
    await client.models.list({ maxRetries: 0 });
  } catch (e) {
    // an endpoint without GET /models (or refusing it) is still reachable: its chat answers will tell
    if (!(e instanceof APIConnectionError)) return;
    throw new UserError(`cannot reach the OpenAI-compatible endpoint at ${url}: ${rootMessage(e)}`);
  }
}

/** One chat request's reply text (`choices[0].message.content`); a reply without text is an error. */
export async function chatText(client: OpenAI, body: ChatCompletionCreateParamsNonStreaming): Promise<string> {
  const completion = await client.chat.completions.create(body);
  const content = completion.choices[0]?.message.content;
  if (typeof content !== 'string') throw new Error('the reply has no choices[0].message.content');
  return content;
}
