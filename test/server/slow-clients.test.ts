// Slow clients cannot hold connections: headers trickled in (slowloris), a body trickled in and an idle
// keep-alive connection are each cut off after their timeout, while the server keeps answering others. What
// node's HTTP parser refuses (timeouts, bad request lines, huge headers) is answered as problem+json.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { before, describe, test } from 'node:test';
import { NO_PACKAGE, useServer } from './harness.js';

/** Writes `head`, then `drip` every 100 ms until the server closes the socket; resolves with what it sent back
 *  and how long the connection lasted. */
function trickle(port: number, head: string, drip: string | null): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(head));
    let reply = '';
    const timer = drip === null ? undefined : setInterval(() => socket.writable && socket.write(drip), 100);
    socket.on('data', (d) => (reply += d.toString('latin1')));
    socket.on('error', () => {}); // a reset counts as closed
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ reply, ms: performance.now() - t0 });
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection for 5 s (got ${JSON.stringify(reply)})`));
    }, 5000).unref();
  });
}

/** The status and the problem+json body of a raw HTTP reply. */
function problemReply(reply: string): { status: number; type: string } {
  const [head, body] = reply.split('\r\n\r\n');
  assert.match(head!, /\r\nContent-Type: application\/problem\+json\r\n/);
  const problem = JSON.parse(body!) as { type: string; status: number };
  assert.equal(problem.status, Number(head!.split(' ')[1]));
  return problem;
}

describe('slow clients', { skip: NO_PACKAGE }, () => {
  const srv = useServer({ headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 300 });
  let port: number;
  before(() => {
    port = Number(new URL(srv.url).port);
  });

  test('headers trickled in (slowloris) → 408 and closed; others are served meanwhile', async () => {
    const slow = trickle(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n');
    const t0 = performance.now();
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
    assert.ok(performance.now() - t0 < 200);
    const { reply, ms } = await slow;
    assert.match(reply, /^HTTP\/1\.1 408/);
    assert.equal(problemReply(reply).type, 'urn:lavida:problem:request-timeout');
    assert.ok(ms < 2500, `${ms} ms`);
  });

  test('a body trickled in → 408 and closed after the request timeout', async () => {
    const head =
      'POST /v1/vqa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"question": "';
    const { reply, ms } = await trickle(port, head, 'a');
    assert.match(reply, /^HTTP\/1\.1 408/);
    assert.equal(problemReply(reply).type, 'urn:lavida:problem:request-timeout');
    assert.ok(ms >= 700 && ms < 3000, `${ms} ms`);
  });

  test('a malformed request line → 400 and headers over the limit → 431, both problem+json', async () => {
    const bad = await trickle(port, 'GET /healthz HTTP/9.9 nonsense\r\n\r\n', null);
    assert.match(bad.reply, /^HTTP\/1\.1 400/);
    assert.equal(problemReply(bad.reply).type, 'urn:lavida:problem:invalid-request');
    const huge = await trickle(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, null);
    assert.match(huge.reply, /^HTTP\/1\.1 431/);
    assert.equal(problemReply(huge.reply).type, 'urn:lavida:problem:headers-too-large');
  });

  test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const { reply, ms } = await trickle(
      port,
      'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n',
      null,
    );
    assert.match(reply, /^HTTP\/1\.1 200/);
    assert.ok(ms < 2000, `${ms} ms`);
  });
});
