// OpenAI's error object on the OpenAI-compatible routes: the problem (RFC 9457) keeps its fields and gains an
// `error` member ({message, type, param, code}), which the official OpenAI clients read and raise, in a plain
// response and as a streamed `error` event alike.
import type { components } from '../../sdk/schema.js';
import type { Problem } from '../problem.js';

type S = components['schemas'];

const OPENAI_ROUTES = ['/v1/chat/completions', '/v1/models'];

/** Whether a request path (no query) is one of the OpenAI-compatible routes (or below one: /v1/models/{model}). */
export const isOpenAiPath = (path: string): boolean =>
  OPENAI_ROUTES.some((route) => path === route || path.startsWith(`${route}/`));

function errorType(status: number): S['OpenAiError']['type'] {
  if (status === 401) return 'authentication_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** The problem with OpenAI's error object: the detail as message, the type URN's last part as code. */
export function withOpenAiError(p: Problem): S['OpenAiProblem'] {
  const code = p.type.slice(p.type.lastIndexOf(':') + 1).replaceAll('-', '_');
  return { ...p, error: { message: p.detail ?? p.title, type: errorType(p.status), param: p.param ?? null, code } };
}
