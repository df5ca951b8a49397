// The judge result file, {key: reply} with {key: {"error": message}} for a failed call (the official result.json),
// rewritten whole after every reply (temp file + rename), so a run stopped at any moment leaves a valid file that
// `judge --resume` continues from.
import { readFile } from 'node:fs/promises';
import { parseObjectEntries } from '../jsonorder.js';
import { writeAtomic } from '../output.js';

/** A judge reply, or the failed call's message. */
export type JudgeValue = string | { error: string };

/** An entry a resumed run keeps: a reply. Failed calls (and anything else) are judged again. */
export const isReply = (v: unknown): v is string => typeof v === 'string';

/** The file's entries in file order; none when it does not exist. */
export async function readResults(path: string): Promise<Array<[string, unknown]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return parseObjectEntries(text, path);
}

export class ResultFile {
  private readonly values = new Map<string, unknown>();
  private tail: Promise<void> = Promise.resolve();

  /** `order`: the keys in the order they are written (the data's); `entries`: what the file already holds. */
  constructor(
    private readonly path: string,
    private readonly order: string[],
    entries: Array<[string, unknown]> = [],
  ) {
    for (const [k, v] of entries) this.values.set(k, v);
  }

  /** Records a value; resolves once the file holding it (and every earlier value) has replaced the old one. */
  set(key: string, value: JudgeValue): Promise<void> {
    this.values.set(key, value);
    // one write at a time; each writes everything recorded so far
    this.tail = this.tail.then(() => writeAtomic(this.path, this.text()));
    return this.tail;
  }

  /** JSON by hand: JSON.stringify would put integer-like keys ("22" … "1172") in numeric order, not the data's. */
  private text(): string {
    const lines = this.order
      .filter((k) => this.values.has(k))
      .map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(this.values.get(k))}`);
    return lines.length === 0 ? '{}\n' : `{\n${lines.join(',\n')}\n}\n`;
  }
}
