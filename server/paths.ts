// The API's paths and the methods each serves, from openapi.yaml: 405 answers with Allow, and the route label of
// every response in the metrics (errors included, whichever middleware raised them).
import { SPEC } from './spec.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const PATH_METHODS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(SPEC.paths).map(([path, item]) => {
    const methods = Object.keys(item as object)
      .filter((k) => HTTP_METHODS.includes(k))
      .map((k) => k.toUpperCase());
    return [path, methods.includes('GET') && !methods.includes('HEAD') ? [...methods, 'HEAD'] : methods];
  }),
);

/** Each spec path with a pattern for the URLs it names (a `{parameter}` is one path segment). */
const PATH_PATTERNS: ReadonlyArray<[string, RegExp]> = [...PATH_METHODS.keys()].map((path) => [
  path,
  new RegExp(
    `^${path
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
      .join('[^/]+')}$`,
  ),
]);

/** The spec path a request URL names (one trailing slash allowed, as express routes), else undefined. */
export function specPath(url: string): string | undefined {
  const path = url.split('?')[0]!.replace(/(.)\/$/, '$1');
  return PATH_METHODS.has(path) ? path : PATH_PATTERNS.find(([, pattern]) => pattern.test(path))?.[0];
}

/** The methods `path` (a spec path) serves. */
export const allowedMethods = (path: string): readonly string[] => PATH_METHODS.get(path) ?? [];
