// The last middleware: every error as application/problem+json (no stack traces; internals only in the log),
// with OpenAI's error object on the OpenAI-compatible routes. A streaming response that has started gets an
// `error` event and [DONE] instead; a departed client, nothing.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ClientGone } from '../admission.js';
import { isOpenAiPath, withOpenAiError } from '../openai/errors.js';
import { allowedMethods, specPath } from '../paths.js';
import { HttpProblem, toProblem } from '../problem.js';

/** After the routers: a path of the API asked with another method is 405 with Allow, anything else 404. */
export const notFound: RequestHandler = (req) => {
  const path = specPath(req.originalUrl);
  if (path) {
    const allowed = allowedMethods(path);
    throw new HttpProblem(
      'method-not-allowed',
      `${req.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
      {},
      { Allow: allowed.join(', ') },
    );
  }
  throw new HttpProblem('not-found', `no route for ${req.method} ${req.path}`);
};

export const problemHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const log = res.locals.log;
  if (err instanceof ClientGone) {
    log.info('client disconnected; job cancelled');
    return;
  }
  const problem = toProblem(err);
  if (problem.kind === 'internal') log.error({ err }, 'internal error');
  else log.info({ problem: problem.kind, detail: problem.message }, 'request refused');
  const path = req.originalUrl.split('?')[0]!;
  const problemBody = problem.body(path, res.locals.requestId);
  const body = isOpenAiPath(path) ? withOpenAiError(problemBody) : problemBody;
  if (res.locals.stream) {
    res.locals.stream.send('error', body);
    res.locals.stream.done();
  } else if (res.headersSent) {
    res.destroy();
  } else {
    res.status(problem.status).set(problem.headers).type('application/problem+json').send(JSON.stringify(body));
  }
};
