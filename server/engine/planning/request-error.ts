// A request the engine cannot plan: a knob the model's bounds rule out, or a prompt and answer over the model's
// context. The HTTP layer maps the codes to its problems (server/problem.ts).

export type RequestErrorCode =
  | 'invalid_knobs' // decoding knobs that do not fit together or the model (divisibility, step counts)
  | 'context_length_exceeded'; // the prompt (image included) and the answer canvas exceed the sequence length

export class RequestError extends Error {
  override readonly name = 'RequestError';

  constructor(
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message);
  }
}
