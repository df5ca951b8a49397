// The web playground at `/`: its page, styles and JavaScript modules from server/playground/ (static files, no
// build step) under /playground/, and the shipped example images with examples/examples.json under
// /playground/examples/. Only GET and HEAD of files that are there; anything else falls through to the API's
// 404/405. The page loads nothing from elsewhere, which its Content-Security-Policy makes binding.
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import express, { Router } from 'express';
import { ROOT } from '../config.js';

const PLAYGROUND_DIR = join(ROOT, 'server', 'playground');
const EXAMPLES_DIR = join(ROOT, 'examples');

const CSP =
  "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const sameOriginOnly = (res: ServerResponse): void => {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
};

export function playgroundRouter(): Router {
  const router = Router();
  const files = { index: false, redirect: false, setHeaders: sameOriginOnly };
  router.get('/', (_req, res) => {
    sameOriginOnly(res);
    res.sendFile('index.html', { root: PLAYGROUND_DIR });
  });
  router.use('/playground/examples', express.static(EXAMPLES_DIR, files));
  router.use('/playground', express.static(PLAYGROUND_DIR, files));
  return router;
}
