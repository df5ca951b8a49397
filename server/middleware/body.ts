// Request bodies: JSON (size-limited) or, where the operation allows it, multipart with one `image` file
// (multer, in memory, size-limited); then validated against the operation's openapi.yaml schema (multipart
// fields are strings, coerced by the schema). Anything else is 415.
import express, { type RequestHandler } from 'express';
import multer, { MulterError } from 'multer';
import type { ServerConfig } from '../config.js';
import { HttpProblem } from '../problem.js';
import { describeErrors, schemaCompiler, violationParam } from '../spec.js';

const jsonSchemas = schemaCompiler();
const uploadSchemas = schemaCompiler({ coerceTypes: true });
const UPLOAD_PLACEHOLDER = '(uploaded file)';

/** undefined when valid, else the invalid-request problem listing every violation. */
function violations(valid: boolean, errors: Parameters<typeof describeErrors>[0]): HttpProblem | undefined {
  if (valid) return undefined;
  const list = describeErrors(errors);
  const first = list[0]!;
  const param = violationParam(errors![0]!);
  return new HttpProblem(
    'invalid-request',
    `${first.path} ${first.message}${list.length > 1 ? ` (and ${list.length - 1} more)` : ''}`,
    { errors: list, ...(param === undefined ? {} : { param }) },
  );
}

/** multipart/form-data sends line breaks as CRLF (the HTML form encoding: browsers, curl's `-F`, fetch's FormData
 * all do); the model was trained on `\n`, so text fields get theirs back. */
function formFields(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : v]),
  );
}

/** Multer's own errors (limits, unexpected fields) are mapped by toProblem; anything else its parser (busboy) raises
 *  is a body that is not well-formed multipart: a part header without its colon, no boundary, an unterminated body. */
const uploadError = (err: unknown): unknown =>
  err instanceof MulterError
    ? err
    : new HttpProblem(
        'invalid-request',
        `malformed multipart body: ${err instanceof Error ? err.message : String(err)}`,
      );

/** Runs a body check inside a parser's callback, where a throw would escape express and end the process:
 *  its problem, or whatever it throws (a screen's problem, a validator failure), goes to the error handler. */
function guarded(next: (err?: unknown) => void, check: () => HttpProblem | undefined): void {
  let outcome: unknown;
  try {
    outcome = check();
  } catch (e) {
    outcome = e;
  }
  next(outcome);
}

/** A look at a parsed JSON body before the schema's: throws a clearer problem than a schema violation would, or
 *  leaves the body as the schema should see it. */
export type BodyScreen = (body: unknown) => void;

/** Parses and validates the body against `#/components/schemas/<jsonSchema>` (or `<uploadSchema>` for multipart);
 *  `screen` sees a JSON body first. */
export function requestBody(
  cfg: ServerConfig,
  jsonSchema: string,
  uploadSchema?: string,
  screen?: BodyScreen,
): RequestHandler {
  const json = express.json({ limit: cfg.maxJsonBytes, strict: true });
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: cfg.maxUploadBytes, files: 1, fields: 32, fieldSize: cfg.maxJsonBytes, parts: 40 },
  }).single('image');
  const validateJson = jsonSchemas(jsonSchema);
  const validateUpload = uploadSchema ? uploadSchemas(uploadSchema) : undefined;
  return (req, res, next) => {
    if (req.is('application/json')) {
      json(req, res, (err?: unknown) => {
        if (err) return next(err);
        guarded(next, () => {
          screen?.(req.body);
          return violations(validateJson(req.body), validateJson.errors);
        });
      });
    } else if (validateUpload && req.is('multipart/form-data')) {
      upload(req, res, (err?: unknown) => {
        if (err) return next(uploadError(err));
        guarded(next, () => {
          const fields = formFields(req.body as Record<string, unknown>);
          if (req.file) fields.image = UPLOAD_PLACEHOLDER;
          const problem = violations(validateUpload(fields), validateUpload.errors);
          if (req.file) delete fields.image;
          req.body = fields;
          return problem;
        });
      });
    } else {
      const accepted = validateUpload ? 'application/json or multipart/form-data' : 'application/json';
      next(
        new HttpProblem(
          'unsupported-media-type',
          `send ${accepted} (got ${req.get('content-type') ?? 'no content type'})`,
        ),
      );
    }
  };
}
