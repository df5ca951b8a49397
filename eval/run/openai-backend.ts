// `--openai URL --model NAME`: any OpenAI-compatible chat endpoint as a backend (vLLM, SGLang, a hosted API, or
// our server's /v1/chat/completions), through the `openai` package. Each task is one user message: the image as a
// data: URL image_url part, then the benchmark's prompt as a text part; greedy (temperature 0); the endpoint's
// default completion length. `choices[0].message.content` is the answer text.
import OpenAI, { APIConnectionError } from 'openai';
import sharp from 'sharp';
import { extractAnswer } from '../../server/engine/answer.js';
import { lisaPrompt } from '../benchmarks/lisa/score.js';
import { UserError } from '../errors.js';
import type { Perform } from './call.js';
import { imageBytes } from './files.js';
import type { Task } from './tasks.js';

export interface OpenAIEndpoint {
  /** Base URL up to and including /v1; requests go to URL/chat/completions. */
  url: string;
  /** The model name sent with every request. */
  model: string;
  /** The environment variable holding the API key (sent as the bearer token); none: no key is sent. */
  apiKeyEnv?: string;
}

/** Attempts after the first on a connection error, 408, 409, 429 or 5xx, with the client's backoff (it honours Retry-After). */
const MAX_RETRIES = 5;

export function openaiClient(e: OpenAIEndpoint, timeoutMs: number): OpenAI {
  // an explicit key (never OPENAI_API_KEY by default: this URL may be anyone's); the client needs one to be set
  const apiKey = e.apiKeyEnv === undefined ? 'EMPTY' : process.env[e.apiKeyEnv];
  if (!apiKey) throw new UserError(`--api-key-env ${e.apiKeyEnv}: the variable is not set`);
  return new OpenAI({ baseURL: e.url, apiKey, timeout: timeoutMs, maxRetries: MAX_RETRIES });
}

/** Preflight: an unreachable endpoint fails the run at once instead of as an error on every sample. */
export async function checkReachable(client: OpenAI, url: string): Promise<void> {
  try {
    await client.models.list({ maxRetries: 0 });
  } catch (e) {
    // an endpoint without GET /models (or refusing it) is still reachable: its chat answers will tell
    if (!(e instanceof APIConnectionError)) return;
    let root: unknown = e;
    while (root instanceof Error && root.cause instanceof Error) root = root.cause; // fetch failed ← ECONNREFUSED …
    throw new UserError(`cannot reach the OpenAI-compatible endpoint at ${url}: ${(root as Error).message}`);
  }
}

async function dataUrl(bytes: Uint8Array): Promise<string> {
  const { format } = await sharp(bytes).metadata();
  return `data:image/${format};base64,${Buffer.from(bytes).toString('base64')}`;
}

/** The text of a task: the benchmark's prompt; grounding asks, as VLM-R1 does, for a JSON box in <answer>. */
function promptOf(task: Task): string {
  if (task.kind === 'vqa') return task.question;
  if (task.kind === 'ground') return lisaPrompt({ problem: task.description });
  throw new UserError('ImgEdit needs an image-editing endpoint: it cannot run through --openai');
}

export function openaiBackend(client: OpenAI, model: string): Perform {
  return async (task) => {
    const text = promptOf(task);
    const url = await dataUrl(await imageBytes(task.image));
    const completion = await client.chat.completions.create({
      model, temperature: 0,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }, { type: 'text', text }] }],
    });
    const choice = completion.choices[0];
    const content = choice?.message.content ?? '';
    // as with --server: VQA scorers read the <answer> span when the model wrote one; the Lisa scorer parses the
    // whole text (LOC tokens, else the JSON box inside <answer>)
    const response = task.kind === 'vqa' ? extractAnswer(content) ?? content : content;
    return { response, text: content, finish_reason: choice?.finish_reason ?? null, usage: completion.usage };
  };
}
