// Optional API keys: `Authorization: Bearer <key>`, compared in constant time against every configured key
// (sha256 first, so lengths leak nothing); a failure says only that the credentials were missing or wrong.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { HttpProblem } from '../problem.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Whether a request carries one of `keys`. */
export function keyCheck(keys: readonly string[]): (req: Request) => boolean {
  const expected = keys.map(digest);
  return (req) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const given = digest(match?.[1] ?? '');
    let ok = false;
    for (const key of expected) ok = timingSafeEqual(key, given) || ok; // no early exit
    return match !== null && ok;
  };
}

export function apiKeyAuth(keys: readonly string[]): RequestHandler {
  const hasKey = keyCheck(keys);
  return (req, _res, next) => {
    if (!hasKey(req))
      throw new HttpProblem('unauthorized', 'missing or invalid credentials', {}, { 'WWW-Authenticate': 'Bearer' });
    next();
  };
}
