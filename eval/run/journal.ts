// OUT/predictions.jsonl as a crash-safe journal: one JSON line per finished sample, appended and fsynced.
// A crash can only leave the last line torn (it lacks its newline); recovery truncates it away.
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { writeAtomic } from '../output.js';

/** One journal line: `id` and `response` (as `lavida-eval score` reads them) plus whatever the runner adds. */
export type JournalLine = { id: string; response: string; error?: string } & Record<string, unknown>;

export interface Recovered {
  /** Ids with a complete line (errors included unless retried). */
  done: Set<string>;
  errors: number;
  /** Bytes of a torn last line that were cut off. */
  tornBytes: number;
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

function parseLine(line: string, path: string, lineNo: number): JournalLine {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new UserError(
      `${path}:${lineNo}: malformed line in the middle of the journal (not a torn tail); fix or remove it`,
    );
  }
  const rec = v as JournalLine;
  if (typeof rec !== 'object' || rec === null || typeof rec.id !== 'string')
    throw new UserError(`${path}:${lineNo}: line without a string "id"`);
  return rec;
}

/**
 * Reads the journal, cuts a torn last line, and (with `retryErrors`) rewrites it without error lines so
 * those samples run again. Duplicate ids are refused: they would make the scores ambiguous.
 */
export async function recoverJournal(path: string, retryErrors = false): Promise<Recovered> {
  const text = await readOrEmpty(path);
  const end = text.lastIndexOf('\n') + 1;
  const tornBytes = Buffer.byteLength(text.slice(end));
  if (tornBytes > 0) await truncate(path, Buffer.byteLength(text.slice(0, end)));
  const lines = text.slice(0, end).split('\n').slice(0, -1);
  const kept: string[] = [];
  const done = new Set<string>();
  let errors = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const rec = parseLine(line, path, i + 1);
    if (done.has(rec.id)) throw new UserError(`${path}:${i + 1}: duplicate id "${rec.id}"`);
    if (rec.error !== undefined && retryErrors) return;
    if (rec.error !== undefined) errors++;
    done.add(rec.id);
    kept.push(line);
  });
  if (retryErrors && kept.length < lines.length) await writeAtomic(path, kept.map((l) => `${l}\n`).join(''));
  return { done, errors, tornBytes };
}

/** Appends lines one at a time (concurrent callers are serialized), each on disk before `append` resolves. */
export class Journal {
  private tail: Promise<void> = Promise.resolve();

  private constructor(private readonly fh: FileHandle) {}

  static async open(path: string): Promise<Journal> {
    return new Journal(await open(path, 'a'));
  }

  append(line: JournalLine): Promise<void> {
    const next = this.tail.then(async () => {
      // one write call per line: a crash leaves at most this line torn, never a line without its newline mid-file
      await this.fh.write(`${JSON.stringify(line)}\n`);
      await this.fh.datasync();
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.fh.close();
  }
}
