// Optional API keys: `Authorization: Bearer <key>`, compared in constant time against every configured key
// (sha256 first, so lengths leak nothing); a failure says only that the credentials were missing or wrong.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpProblem } from '../problem.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function apiKeyAuth(keys: readonly string[]): RequestHandler {
  const expected = keys.map(digest);
  return (req, _res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const given = digest(match?.[1] ?? '');
    let ok = false;
    for (const key of expected) ok = timingSafeEqual(key, given) || ok; // no early exit
    if (!match || !ok) {
      throw new HttpProblem('unauthorized', 'missing or invalid credentials', {}, { 'WWW-Authenticate': 'Bearer' });
    }
    next();
  };
}
