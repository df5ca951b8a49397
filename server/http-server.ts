// The HTTP server of the app, with timeouts against slow clients: the request headers (slowloris), the whole
// request (a body trickled in; the response may take as long as the job does), idle keep-alive connections.
// What they and the HTTP parser refuse is answered as problem+json (client-errors.ts).
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import { answerClientError } from './client-errors.js';
import type { ServerConfig } from './config.js';

export function httpServer(app: Express, c: ServerConfig): Server {
  const server = createServer(
    {
      headersTimeout: c.headersTimeoutMs,
      requestTimeout: c.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, c.headersTimeoutMs), // how often the two are checked
    },
    app,
  );
  server.keepAliveTimeout = c.keepAliveTimeoutMs;
  server.on('clientError', answerClientError);
  return server;
}
