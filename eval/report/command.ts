// `lavida-eval report --runs DIR... [--out DIR]`: report.md, report.json and report.html comparing runs.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import { writeAtomic } from '../output.js';
import { collectRuns } from './collect.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { REFERENCES } from './references.js';
import { buildTables } from './tables.js';

export const REPORT_USAGE = 'usage: lavida-eval report --runs DIR... [--out DIR]   (DIR: `lavida-eval run` output folders; --out default: eval-report)';

export async function reportCommand(args: string[]): Promise<number> {
  let values: { runs?: string[]; out?: string; help?: boolean };
  let positionals: string[];
  try {
    // `--runs a b c`: the folders after the first are positionals
    ({ values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { runs: { type: 'string', multiple: true }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${REPORT_USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  if (!values.runs) throw new UserError(`missing --runs\n${REPORT_USAGE}`);
  const runs = await collectRuns([...values.runs, ...positionals]);
  const out = values.out ?? 'eval-report';
  const generatedAt = new Date().toISOString();
  const tables = buildTables(runs);
  await mkdir(out, { recursive: true });
  const json = {
    generated_at: generatedAt,
    runs: runs.map((r) => ({ dir: r.dir, label: r.label, run: r.record, summary: r.summary })),
    tables,
    references: REFERENCES,
  };
  await writeAtomic(join(out, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeAtomic(join(out, 'report.md'), renderMarkdown(tables, generatedAt));
  await writeAtomic(join(out, 'report.html'), renderHtml(tables, generatedAt));
  process.stdout.write(`${['report.md', 'report.json', 'report.html'].map((f) => join(out, f)).join('\n')}\n`);
  return 0;
}
