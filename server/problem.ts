// RFC 9457 problem details: stable type URNs, one class to throw, and the mapping of every error the
// request path can raise (body parsers, multer, image decoding, the engine) to a problem without internals.
import { MulterError } from 'multer';
import type { components } from '../sdk/schema.js';
import { ImageError, PromptError, RequestError, WorkerCrashedError, WorkerUnavailableError } from './engine/index.js';

export type Problem = components['schemas']['Problem'];

export const PROBLEMS = {
  'invalid-request': [400, 'The request is invalid'],
  'context-length-exceeded': [400, 'The prompt and answer do not fit the model context'],
  unauthorized: [401, 'Unauthorized'],
  'not-found': [404, 'Not found'],
  'model-not-found': [404, 'Model not found'],
  'method-not-allowed': [405, 'Method not allowed'],
  'request-timeout': [408, 'The request did not arrive in time'],
  'payload-too-large': [413, 'The request body is too large'],
  'image-too-large': [413, 'The image has too many pixels'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  'unsupported-image-type': [415, 'Unsupported image type'],
  'undecodable-image': [422, 'The image could not be decoded'],
  'unsupported-aspect-ratio': [422, 'The image is too long and thin'],
  'queue-full': [429, 'The server is busy'],
  'headers-too-large': [431, 'The request headers are too large'],
  internal: [500, 'Internal error'],
  unavailable: [503, 'Unavailable'],
  'deadline-exceeded': [504, 'The request deadline passed'],
} as const satisfies Record<string, readonly [number, string]>;

export type ProblemKind = keyof typeof PROBLEMS;

export const problemType = (kind: ProblemKind): string => `urn:lavida:problem:${kind}`;

export class HttpProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    detail: string,
    readonly extra: Partial<Problem> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }

  get status(): number {
    return PROBLEMS[this.kind][0];
  }

  /** Without `instance` and `requestId` for errors before a request exists (a malformed or slow request). */
  body(instance?: string, requestId?: string): Problem {
    const [status, title] = PROBLEMS[this.kind];
    return {
      type: problemType(this.kind),
      title,
      status,
      detail: this.message,
      ...(instance === undefined ? {} : { instance }),
      ...(requestId === undefined ? {} : { request_id: requestId }),
      ...this.extra,
    };
  }
}

const IMAGE_KINDS: Record<ImageError['code'], ProblemKind> = {
  unsupported_type: 'unsupported-image-type',
  too_many_pixels: 'image-too-large',
  undecodable: 'undecodable-image',
  bad_aspect_ratio: 'unsupported-aspect-ratio',
};

const REQUEST_KINDS: Record<RequestError['code'], ProblemKind> = {
  invalid_knobs: 'invalid-request',
  context_length_exceeded: 'context-length-exceeded',
};

/** The problem an error stands for; unknown errors become `internal` (the caller logs them). */
export function toProblem(e: unknown): HttpProblem {
  if (e instanceof HttpProblem) return e;
  if (e instanceof ImageError) return new HttpProblem(IMAGE_KINDS[e.code], e.message);
  if (e instanceof PromptError) return new HttpProblem('invalid-request', e.message);
  if (e instanceof RequestError) return new HttpProblem(REQUEST_KINDS[e.code], e.message);
  if (e instanceof MulterError) {
    const tooLarge = e.code === 'LIMIT_FILE_SIZE' || e.code === 'LIMIT_FIELD_VALUE';
    return new HttpProblem(
      tooLarge ? 'payload-too-large' : 'invalid-request',
      `upload refused: ${e.message}${e.field ? ` (${e.field})` : ''}`,
    );
  }
  if (e instanceof WorkerCrashedError) {
    return new HttpProblem(
      'unavailable',
      'the inference worker crashed while running this request; retry',
      {},
      { 'Retry-After': '1' },
    );
  }
  if (e instanceof WorkerUnavailableError) {
    const retry: Record<string, string> =
      e.retryAfterMs === null ? {} : { 'Retry-After': String(Math.ceil(e.retryAfterMs / 1000)) };
    return new HttpProblem('unavailable', e.message, {}, retry);
  }
  const parser = e as { type?: string; status?: number };
  if (parser.type === 'entity.too.large')
    return new HttpProblem('payload-too-large', 'the JSON body is over the size limit');
  if (parser.type === 'entity.parse.failed') return new HttpProblem('invalid-request', 'the body is not valid JSON');
  if (parser.type === 'encoding.unsupported' || parser.type === 'charset.unsupported') {
    return new HttpProblem('unsupported-media-type', 'unsupported body encoding or charset');
  }
  if (typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500) {
    return new HttpProblem('invalid-request', 'the request body could not be read');
  }
  return new HttpProblem('internal', 'an internal error occurred');
}

/** The problem an error stands for, naming `param` (the request field at fault); an internal error as it is. */
export function problemAt(e: unknown, param: string): unknown {
  const p = toProblem(e);
  return p.kind === 'internal' ? e : new HttpProblem(p.kind, p.message, { ...p.extra, param }, p.headers);
}
