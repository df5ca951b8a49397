// openapi.yaml, loaded once: the text served at /openapi.yaml and JSON Schema validators for its component
// schemas (OpenAPI 3.1 schemas are JSON Schema 2020-12; they are re-rooted under $defs for ajv). Strict mode
// minus strictRequired: request schemas require fields that their allOf siblings define. OpenAPI's `binary`
// format (a file part, for generators) is an annotation: the server checks an upload's bytes itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { ROOT } from './config.js';

export const SPEC_TEXT = readFileSync(join(ROOT, 'openapi.yaml'), 'utf8');
export const SPEC = parse(SPEC_TEXT) as {
  paths: Record<string, unknown>;
  components: { schemas: Record<string, unknown> };
};

const SPEC_ID = 'urn:lavida:openapi';
const rerooted = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(rerooted);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', `${SPEC_ID}#/$defs/`) : rerooted(v),
    ]),
  );
};

export type SchemaValidator = ValidateFunction;

/** A validator factory for `#/components/schemas/<name>`; `coerceTypes` for multipart fields (all strings). */
export function schemaCompiler(o: { coerceTypes?: boolean } = {}): (name: string) => SchemaValidator {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    coerceTypes: o.coerceTypes ?? false,
    formats: { binary: true },
  });
  ajv.addSchema({ $id: SPEC_ID, $defs: rerooted(SPEC.components.schemas) as Record<string, object> });
  const cache = new Map<string, SchemaValidator>();
  return (name) => {
    let v = cache.get(name);
    if (!v) {
      if (!(name in SPEC.components.schemas)) throw new Error(`openapi.yaml has no schema ${name}`);
      cache.set(name, (v = ajv.compile({ $ref: `${SPEC_ID}#/$defs/${name}` })));
    }
    return v;
  };
}

/** Schema violations as {path, message}, for problem details. */
export function describeErrors(errors: ErrorObject[] | null | undefined): Array<{ path: string; message: string }> {
  return (errors ?? []).map((e) => {
    const p = e.params as { missingProperty?: string; unevaluatedProperty?: string; allowedValues?: unknown[] };
    const extra = p.missingProperty ?? p.unevaluatedProperty;
    const allowed = p.allowedValues ? ` (${p.allowedValues.map((a) => JSON.stringify(a)).join(', ')})` : '';
    return {
      path: e.instancePath || '/',
      message: `${e.message ?? 'is invalid'}${extra ? `: ${extra}` : ''}${allowed}`,
    };
  });
}

/** A request parameter as OpenAI names it: a JSON pointer (`/messages/0/content`) as `messages[0].content`;
 *  undefined for the whole body. */
export function pointerParam(pointer: string): string | undefined {
  const parts = pointer
    .split('/')
    .slice(1)
    .filter((p) => p !== '')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (!parts.length) return undefined;
  return parts.reduce((param, p) => (/^\d+$/.test(p) ? `${param}[${p}]` : param ? `${param}.${p}` : p), '');
}

/** The parameter a schema violation is about (an unknown or missing property named by it). */
export function violationParam(e: ErrorObject): string | undefined {
  const p = e.params as { missingProperty?: string; unevaluatedProperty?: string };
  const extra = p.missingProperty ?? p.unevaluatedProperty;
  return pointerParam(extra === undefined ? e.instancePath : `${e.instancePath}/${extra}`);
}
