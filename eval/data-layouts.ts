// What `--data` takes for a benchmark (each folder's layout.ts), and the error for a folder without its files.
import { readdir } from 'node:fs/promises';
import { UserError } from './errors.js';

export interface DataLayout {
  /** The benchmark's name as its authors write it. */
  title: string;
  /** The file (or folders) whose absence makes a folder the wrong one. */
  expected: string;
  /** Help lines: what `--data` may point at. */
  help: string[];
}

const SHOWN_ENTRIES = 8;

/** "a folder holding A/, b.json, … (12 entries)" or "an empty folder". */
async function describeFolder(dir: string): Promise<string> {
  const entries = (await readdir(dir, { withFileTypes: true }).catch(() => []))
    .map((e) => `${e.name}${e.isDirectory() ? '/' : ''}`)
    .sort();
  if (entries.length === 0) return 'an empty folder';
  const shown = entries.slice(0, SHOWN_ENTRIES).join(', ');
  return `a folder holding ${shown}${entries.length > SHOWN_ENTRIES ? `, … (${entries.length} entries)` : ''}`;
}

/**
 * The error for a `--data` folder without the benchmark's files, e.g. "expected ChartQA's test_human.json here;
 * got a folder holding ChartQA/, MathVista/". `expected` overrides the layout's file (MathVista's other splits).
 */
export async function wrongDataFolder(layout: DataLayout, dir: string, expected = layout.expected): Promise<UserError> {
  const { title } = layout;
  return new UserError(
    `--data ${dir}: expected ${title}'s ${expected} here; got ${await describeFolder(dir)} ` +
      '(`lavida-eval run --help` lists the folder each benchmark takes)',
  );
}
