// OpenAI chat-completion parameters this server does not implement: each is refused with a 400 naming it,
// unless its value asks for what the server does anyway (then it is dropped before the schema check, which
// refuses every parameter it does not know). Message fields and content parts other than text and one image
// are refused the same way. Nothing is silently ignored.
import { isDeepStrictEqual } from 'node:util';
import { HttpProblem } from '../problem.js';

interface Unsupported {
  neutral: (value: unknown) => boolean; // the value changes nothing here (null always does)
  why: string;
}

const isEmpty = (v: unknown): boolean =>
  Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0;
const never = (): boolean => false;
const PENALTY =
  'token penalties do not apply to diffusion decoding, which decides tokens in parallel over several passes';
const NO_TOOLS = 'this model does not call tools or functions';
const NOT_STORED = 'completions are not stored';

const UNSUPPORTED: Record<string, Unsupported> = {
  frequency_penalty: { neutral: (v) => v === 0, why: PENALTY },
  presence_penalty: { neutral: (v) => v === 0, why: PENALTY },
  logit_bias: { neutral: isEmpty, why: 'logit biases are not applied' },
  top_p: {
    neutral: (v) => v === 1,
    why: 'nucleus sampling is not implemented; temperature samples from the whole distribution (Gumbel-max)',
  },
  top_logprobs: {
    neutral: (v) => v === 0,
    why: "the alternatives to the chosen tokens are not computed; logprobs: true gives the chosen tokens' log-probabilities",
  },
  response_format: {
    neutral: (v) => isDeepStrictEqual(v, { type: 'text' }),
    why: 'structured output (JSON mode, JSON schema) is not supported; the model writes free text',
  },
  tools: { neutral: isEmpty, why: NO_TOOLS },
  tool_choice: { neutral: (v) => v === 'none', why: NO_TOOLS },
  functions: { neutral: isEmpty, why: NO_TOOLS },
  function_call: { neutral: (v) => v === 'none', why: NO_TOOLS },
  parallel_tool_calls: { neutral: () => true, why: NO_TOOLS }, // only matters with tools, which are refused
  modalities: { neutral: (v) => isDeepStrictEqual(v, ['text']), why: 'the model answers in text only' },
  audio: { neutral: never, why: 'the model answers in text only' },
  prediction: { neutral: never, why: 'predicted outputs are not supported' },
  web_search_options: { neutral: never, why: 'the server does not search the web' },
  reasoning_effort: { neutral: never, why: 'the reasoning length is not adjustable; max_tokens caps the completion' },
  verbosity: { neutral: never, why: 'the answer length is not adjustable; max_tokens caps the completion' },
  moderation: { neutral: never, why: 'the server does not moderate' },
  store: { neutral: (v) => v === false, why: NOT_STORED },
  metadata: { neutral: isEmpty, why: `${NOT_STORED}, so there is nothing to attach metadata to` },
  service_tier: { neutral: (v) => v === 'auto' || v === 'default', why: 'the server has one service tier' },
  prompt_cache_key: { neutral: never, why: 'prompts are not cached across requests' },
  prompt_cache_retention: { neutral: never, why: 'prompts are not cached across requests' },
  prompt_cache_options: { neutral: never, why: 'prompts are not cached across requests' },
};

const PART_TYPES = new Set(['text', 'image_url']);
const MESSAGE_FIELDS = new Set(['role', 'content']);

const refuse = (param: string, why: string): HttpProblem =>
  new HttpProblem('invalid-request', `${param} is not supported: ${why}`, { param });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields and parts of the messages that LaViDa's template has no place for (the schema checks the rest). */
function screenMessages(messages: unknown): void {
  if (!Array.isArray(messages)) return;
  messages.forEach((msg, i) => {
    if (!isRecord(msg)) return;
    if (msg.role === 'tool' || msg.role === 'function')
      throw refuse(`messages[${i}].role`, `${msg.role} messages: ${NO_TOOLS}`);
    for (const key of Object.keys(msg)) {
      if (!MESSAGE_FIELDS.has(key))
        throw refuse(`messages[${i}].${key}`, "LaViDa's chat template has a role and content per message");
    }
    if (!Array.isArray(msg.content)) return;
    msg.content.forEach((part, j) => {
      if (isRecord(part) && typeof part.type === 'string' && !PART_TYPES.has(part.type)) {
        throw refuse(
          `messages[${i}].content[${j}].type`,
          `${part.type} parts; the model reads text and one image (image_url)`,
        );
      }
    });
  });
}

/** The body screen of /v1/chat/completions (requestBody's `screen`): refuses what is not implemented, drops
 *  the parameters whose values change nothing. */
export function screenChatParameters(body: unknown): void {
  if (!isRecord(body)) return;
  for (const [name, value] of Object.entries(body)) {
    const rule = UNSUPPORTED[name];
    if (!rule) continue;
    if (value !== null && !rule.neutral(value)) throw refuse(name, rule.why);
    delete body[name];
  }
  if (body.stream === true && body.logprobs === true) {
    throw refuse(
      'logprobs',
      'log-probabilities are returned without stream only (a streamed delta is not a fixed run of tokens)',
    );
  }
  screenMessages(body.messages);
}
