// CORS for browser clients on other origins (LAVIDA_CORS_ORIGINS; off when empty). A request from an allowed
// origin gets Access-Control-Allow-Origin and may read the headers clients need (the request id, the seed,
// Retry-After); a preflight (OPTIONS with Access-Control-Request-Method) from one is answered 204 here, before
// authentication, as browsers send it without credentials. Other origins get no CORS headers: the browser blocks.
import type { RequestHandler } from 'express';

const METHODS = 'GET, HEAD, POST';
const EXPOSED = 'X-Request-Id, X-Lavida-Seed, Retry-After';
const PREFLIGHT_MAX_AGE_S = 600;

export function cors(origins: readonly string[]): RequestHandler {
  const anyOrigin = origins.includes('*');
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('origin');
    if (!origin || !(anyOrigin || origins.includes(origin))) return next();
    res.set('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
    const requestedMethod = req.get('access-control-request-method');
    if (req.method !== 'OPTIONS' || !requestedMethod) {
      res.set('Access-Control-Expose-Headers', EXPOSED);
      return next();
    }
    res.vary('Access-Control-Request-Headers');
    res.set({ 'Access-Control-Allow-Methods': METHODS, 'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S) });
    const requestedHeaders = req.get('access-control-request-headers');
    if (requestedHeaders) res.set('Access-Control-Allow-Headers', requestedHeaders);
    res.status(204).end();
  };
}
