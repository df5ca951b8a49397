// Per request: an id (X-Request-Id kept when sane, else a UUID, echoed back), a child logger, and on finish
// one access-log line plus the request counter and latency histogram.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { specPath } from '../paths.js';
import type { EventStream } from '../sse.js';

declare global {
  namespace Express {
    interface Locals {
      requestId: string;
      log: Logger;
      stream?: EventStream; // set once a streaming response has started (errors then go out as events)
    }
  }
}

const SANE_ID = /^[\w.:-]{1,128}$/;

export function requestContext(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const requestId = given && SANE_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.locals.log = logger.child({ reqId: requestId });
    res.set('X-Request-Id', requestId);
    const start = performance.now();
    res.on('close', () => {
      const seconds = (performance.now() - start) / 1000;
      const route = specPath(req.originalUrl) ?? 'unmatched'; // errors too: express has left the route by now
      // 499: the client went away before the response was complete (nginx's convention)
      const status = res.writableFinished ? res.statusCode : 499;
      metrics.requests.inc({ method: req.method, route, status: String(status) });
      metrics.latency.observe({ method: req.method, route }, seconds);
      res.locals.log.info(
        { method: req.method, url: req.originalUrl, status, ms: Math.round(seconds * 1000) },
        'request',
      );
    });
    next();
  };
}
