// Which backend a `run` uses, from its arguments: `--server URL`, `--embedded [--model ID] [--models-dir DIR]`, or
// `--openai URL --model NAME [--api-key-env VAR]`; exactly one, with the options that go with it.
import type { Benchmark } from '../benchmarks/benchmark.js';
import { UserError } from '../errors.js';
import type { EmbeddedOptions } from './embedded.js';
import type { OpenAIEndpoint } from '../llm.js';

export interface BackendArgs {
  server?: string;
  embedded?: boolean;
  openai?: string;
  model?: string;
  modelsDir?: string;
  apiKeyEnv?: string;
}

export type BackendChoice = { server?: string; embedded?: EmbeddedOptions; openai?: OpenAIEndpoint };

function httpUrl(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${flag} must be an http(s) URL (got ${value})`);
  }
  if (!['http:', 'https:'].includes(url.protocol)) throw new UserError(`${flag} must be an http(s) URL (got ${value})`);
  return value;
}

/** An `--openai URL` (of `run` and `judge`): http(s), without credentials (the key goes in an environment variable). */
export function openaiUrl(value: string): string {
  const url = new URL(httpUrl('--openai', value));
  if (url.username || url.password) {
    throw new UserError(
      '--openai: put no credentials in the URL (they would be recorded with the results); pass --api-key-env VAR',
    );
  }
  return value;
}

export function backendChoice(a: BackendArgs, benchmark: Benchmark): BackendChoice {
  const given = [
    a.server !== undefined && '--server',
    a.embedded === true && '--embedded',
    a.openai !== undefined && '--openai',
  ].filter(Boolean);
  if (given.length !== 1) {
    throw new UserError(
      `give exactly one of --server URL, --embedded and --openai URL${given.length ? ` (got ${given.join(' and ')})` : ''}`,
    );
  }
  if (a.modelsDir !== undefined && !a.embedded) throw new UserError('--models-dir goes with --embedded');
  if (a.apiKeyEnv !== undefined && a.openai === undefined) throw new UserError('--api-key-env goes with --openai');
  if (a.embedded) return { embedded: { model: a.model, modelsDir: a.modelsDir } };
  if (a.server !== undefined) {
    if (a.model !== undefined)
      throw new UserError('--model goes with --embedded (the package) or --openai (the model name)');
    return { server: httpUrl('--server', a.server) };
  }
  const url = openaiUrl(a.openai!);
  if (a.model === undefined) throw new UserError('--openai needs --model NAME (the model name the endpoint serves)');
  if (benchmark.request.kind === 'edit') {
    throw new UserError(
      `${benchmark.data.title} cannot run through --openai: it needs an image-editing endpoint (use --server or --embedded)`,
    );
  }
  return { openai: { url, model: a.model, apiKeyEnv: a.apiKeyEnv } };
}
