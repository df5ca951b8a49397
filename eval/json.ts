// Reading the released JSON files: a file that does not parse, or holds the wrong kind of value, is a UserError
// naming it.
import { UserError } from './errors.js';
import { readText } from './predictions.js';

/** The parsed file; `what` names it when it cannot be read (e.g. "ChartQA json"). */
export async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readText(file, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: malformed JSON (${(e as Error).message})`);
  }
}

/** The file's array of records. */
export async function readJsonArray(file: string, what: string): Promise<Array<Record<string, unknown>>> {
  const data = await readJson(file, what);
  if (!Array.isArray(data)) throw new UserError(`${file}: expected a JSON array`);
  return data as Array<Record<string, unknown>>;
}
