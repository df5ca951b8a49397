// Swagger UI at /docs over the server's openapi.yaml: the page and its initializer from server/docs/, the viewer
// from the swagger-ui-dist package in node_modules (no CDN: the page works on a machine without a network).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { Router } from 'express';
import { ROOT } from '../config.js';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const SWAGGER_UI_ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'];

export function docsRouter(): Router {
  const router = Router();
  // /docs redirects to /docs/, whose index.html loads its assets relative to it
  router.use('/docs', express.static(join(ROOT, 'server/docs')));
  for (const asset of SWAGGER_UI_ASSETS) {
    router.get(`/docs/${asset}`, (_req, res) => res.sendFile(join(SWAGGER_UI_DIR, asset)));
  }
  return router;
}
