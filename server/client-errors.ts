// Errors node's HTTP parser raises before a request exists (a slow client, a malformed request line, headers
// over the limit): answered as problem+json like every other error, then the connection is closed.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpProblem } from './problem.js';

function problemFor(code: string | undefined): HttpProblem {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new HttpProblem('request-timeout', "the request headers or body did not arrive within the server's timeout");
  }
  if (code === 'HPE_HEADER_OVERFLOW')
    return new HttpProblem('headers-too-large', 'the request headers are over the size limit');
  return new HttpProblem('invalid-request', 'the request is not valid HTTP');
}

/** The server's `clientError` listener: a reply only while the socket can take one and no response has begun
 *  (node's own rule for its default reply), else the socket is just closed. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const response = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  const problem = problemFor(err.code);
  const body = JSON.stringify(problem.body());
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
