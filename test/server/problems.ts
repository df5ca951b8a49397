// Assertions on problem responses shared by the hostile-input tests.
import assert from 'node:assert/strict';
import type { Reply } from './conformance.js';

/** A clear application/problem+json of `status` and `urn:lavida:problem:<kind>`, its request id echoed, no stack trace. */
export function assertProblem(r: Reply, status: number, kind: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type')!, /^application\/problem\+json/);
  const p = r.json<{ type: string; status: number; detail: string; request_id: string }>();
  assert.equal(p.type, `urn:lavida:problem:${kind}`);
  assert.equal(p.status, status);
  assert.equal(p.request_id, r.headers.get('x-request-id'));
  assert.doesNotMatch(r.text, /\n\s+at |node_modules|\.ts:\d+/, 'no stack traces');
}

/** A multipart body with one `image` file and text fields. */
export const upload = (
  bytes: Uint8Array,
  type: string,
  fields: Record<string, string> = { question: 'What is it?' },
): FormData => {
  const form = new FormData();
  form.set('image', new Blob([new Uint8Array(bytes)], { type }), 'upload');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
};
