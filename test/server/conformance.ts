// Every response the tests receive is checked against openapi.yaml: the status is declared for the operation,
// the content type is one it declares, and the body validates (JSON against its schema; server-sent events
// each against the schema `x-events` names, ending with [DONE]). `conformingFetch` checks responses as the
// test reads them, so clients built on fetch (openapi-fetch, openai) are checked too.
import assert from 'node:assert/strict';
import { specPath } from '../../server/paths.js';
import { schemaCompiler, SPEC, describeErrors } from '../../server/spec.js';

type Media = { schema?: { $ref?: string; type?: string }; 'x-events'?: Record<string, { $ref: string }> };
type ResponseSpec = {
  $ref?: string;
  content?: Record<string, Media>;
  headers?: Record<string, { required?: boolean }>;
};
type Operation = { responses: Record<string, ResponseSpec> };

const schemas = schemaCompiler();
const components = (SPEC as unknown as { components: { responses: Record<string, ResponseSpec> } }).components;
const refName = (ref: string): string => ref.split('/').at(-1)!;

function validate(ref: string, value: unknown, what: string): void {
  const v = schemas(refName(ref));
  assert.ok(v(value), `${what} does not match ${refName(ref)}: ${JSON.stringify(describeErrors(v.errors))}`);
}

function responseSpec(method: string, path: string, status: number): ResponseSpec {
  const op = (SPEC.paths[path] as Record<string, Operation> | undefined)?.[method.toLowerCase()];
  if (!op) {
    // requests outside the spec (unknown routes) may only get problems
    assert.ok(status >= 400, `${method} ${path} is not in openapi.yaml but answered ${status}`);
    return components.responses.Problem!;
  }
  const r = op.responses[String(status)];
  assert.ok(r, `openapi.yaml declares no ${status} for ${method} ${path}`);
  return r.$ref ? components.responses[refName(r.$ref)]! : r;
}

/** Checks one complete response (body as text). */
export function checkResponse(method: string, url: string, res: Response, body: string): void {
  const { pathname } = new URL(url);
  const path = specPath(pathname) ?? pathname;
  const spec = responseSpec(method, path, res.status);
  const media = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const declared = spec.content?.[media];
  assert.ok(
    declared,
    `${method} ${path} ${res.status}: content type ${media || '(none)'} is not declared (${Object.keys(spec.content ?? {}).join(', ')})`,
  );
  for (const [name, h] of Object.entries(spec.headers ?? {})) {
    if (h.required) assert.ok(res.headers.get(name), `${method} ${path} ${res.status}: header ${name} is required`);
  }
  const what = `${method} ${path} ${res.status}`;
  if (media === 'text/event-stream') {
    const events = parseEvents(body);
    assert.equal(events.at(-1)?.data, '[DONE]', `${what}: the stream must end with data: [DONE]`);
    for (const e of events.slice(0, -1)) {
      const ref = declared['x-events']?.[e.event]?.$ref;
      assert.ok(ref, `${what}: event ${e.event} is not declared`);
      validate(ref, JSON.parse(e.data), `${what} event ${e.event}`);
    }
  } else if (media.endsWith('json')) {
    assert.ok(declared.schema?.$ref, `${what}: JSON without a schema`);
    validate(declared.schema.$ref, JSON.parse(body), what);
  }
}

export function parseEvents(text: string): Array<{ event: string; data: string }> {
  return text
    .split(/\n\n/)
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      return { event, data };
    });
}

const pending: Array<Promise<void>> = [];
let checked = 0;

/** fetch that checks every response it returns (on a clone, read to its end). */
export const conformingFetch: typeof fetch = async (input, init) => {
  const req = new Request(input, init);
  const res = await fetch(req);
  const clone = res.clone();
  const check = (async () => {
    const bytes = Buffer.from(await clone.arrayBuffer());
    const media = res.headers.get('content-type') ?? '';
    checkResponse(req.method, req.url, res, media.startsWith('image/') ? '' : bytes.toString('utf8'));
    checked++;
  })();
  pending.push(check);
  check.catch(() => {}); // reported by allConform
  return res;
};

/** Awaits the checks of every response so far; fails with the first violation. */
export async function allConform(): Promise<number> {
  await Promise.all(pending.splice(0));
  return checked;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
  json: <T = Record<string, unknown>>() => T;
}

/** A request whose response is read whole and checked against the spec before the test sees it. */
export async function request(url: string, init: RequestInit & { json?: unknown } = {}): Promise<Reply> {
  const { json, ...rest } = init;
  const res = await conformingFetch(
    url,
    json === undefined
      ? rest
      : {
          ...rest,
          method: rest.method ?? 'POST',
          body: JSON.stringify(json),
          headers: { 'content-type': 'application/json', ...(rest.headers as Record<string, string> | undefined) },
        },
  );
  const bytes = Buffer.from(await res.arrayBuffer());
  await allConform();
  const text = bytes.toString('utf8');
  return { status: res.status, headers: res.headers, text, bytes, json: <T>() => JSON.parse(text) as T };
}
