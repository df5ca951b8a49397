// Malformed multipart and JSON bodies are 4xx problems, never a 500 or a logged stack trace.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { request } from './conformance.js';
import { NO_PACKAGE, useServer } from './harness.js';
import { assertProblem } from './problems.js';

const CRLF = '\r\n';
const form = (boundary: string, ...lines: string[]): string => lines.map((l) => l.replace('$B', boundary)).join(CRLF);

describe('malformed bodies', { skip: NO_PACKAGE }, () => {
  const srv = useServer();
  const errors: unknown[] = [];
  before(() => {
    const log = srv.ctx.logger;
    const error = log.error.bind(log);
    log.error = ((...args: Parameters<typeof log.error>) => {
      errors.push(args[0]);
      return error(...args);
    }) as typeof log.error;
  });

  const post = (body: string, type: string) =>
    request(`${srv.url}/v1/vqa`, { method: 'POST', body, headers: { 'content-type': type } });

  test('multipart: a part header without its colon, an unterminated body, no boundary, an empty body → 400', async () => {
    const cases: Array<[string, string]> = [
      [
        form('B', '--$B', 'Content-Disposition form-data; name="question"', '', 'What?', '--$B--', ''),
        'multipart/form-data; boundary=B',
      ],
      [
        form('B', '--$B', 'Content-Disposition: form-data; name="question"', '', 'What?'),
        'multipart/form-data; boundary=B',
      ],
      [
        form('B', '--$B', 'Content-Disposition: form-data; name="question"', '', 'What?', '--$B--', ''),
        'multipart/form-data',
      ],
      ['', 'multipart/form-data; boundary=B'],
      [
        form(
          'B',
          '--$B',
          'Content-Disposition: form-data; name="image"; filename="a.png"',
          'Content-Type: image/png',
          '',
          '\x89PNG',
        ),
        'multipart/form-data; boundary=B',
      ],
      ['garbage without any boundary', 'multipart/form-data; boundary=B'],
    ];
    for (const [body, type] of cases) {
      const r = await post(body, type);
      assertProblem(r, 400, 'invalid-request');
      assert.match(r.json<{ detail: string }>().detail, /multipart/, r.text);
    }
    assert.deepEqual(errors, [], 'nothing logged as an internal error');
  });

  test('JSON: truncated, a bad charset, the wrong top-level type → 4xx', async () => {
    assertProblem(await post('{"question": "x"', 'application/json'), 400, 'invalid-request');
    assertProblem(await post('{"question": "x"}', 'application/json; charset=ebcdic'), 415, 'unsupported-media-type');
    assertProblem(await post('"just a string"', 'application/json'), 400, 'invalid-request');
    assertProblem(await post('[1, 2]', 'application/json'), 400, 'invalid-request');
    assert.deepEqual(errors, [], 'nothing logged as an internal error');
  });
});
