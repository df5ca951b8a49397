// `lavida-eval report --runs DIR... [--out DIR] [--samples N]`: report.md, report.json, report.html and the
// sample viewer samples.html comparing runs.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import { writeAtomic } from '../output.js';
import { collectRuns } from './collect.js';
import { renderHtml } from './html.js';
import { INTERVALS_NOTE } from './intervals.js';
import { renderMarkdown } from './markdown.js';
import { REFERENCES } from './references.js';
import { runSamples } from './samples.js';
import { BOOTSTRAP_SEED } from './stats.js';
import { buildTables } from './tables.js';
import { renderViewer } from './viewer.js';

export const REPORT_USAGE = `usage: lavida-eval report --runs DIR... [--out DIR] [--samples N]
  Compares \`lavida-eval run\` output folders: per benchmark a table of the runs (labelled by model, package
  sha256 and decoding knobs) beside the LaViDa-R1 and LaViDa-O papers' numbers, failure rates (answers no rule
  could read, MMMU-Pro's random fallbacks, unscored judge replies) and per-category tables.
  Intervals are 95%: Wilson score for accuracies, percentile bootstrap (seed ${BOOTSTRAP_SEED}) for mIoU and means of scores.
  --runs DIR...   run folders (run.json, summary.json, scores.jsonl, predictions.jsonl)
  --out DIR       where to write report.md, report.json, report.html and samples.html (default eval-report)
  --samples N     the first N samples of each run in samples.html (default: all; 0: no samples.html); the
                  viewer rebuilds prompts and images from each run's --data, which must still be there
  -h, --help      this help`;

const VIEWER = 'samples.html';

function sampleLimit(v: string | undefined): number {
  if (v === undefined) return Infinity;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`--samples must be a non-negative integer (got ${v})`);
  return n;
}

export async function reportCommand(args: string[]): Promise<number> {
  let values: { runs?: string[]; out?: string; samples?: string; help?: boolean };
  let positionals: string[];
  try {
    // `--runs a b c`: the folders after the first are positionals
    ({ values, positionals } = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        runs: { type: 'string', multiple: true },
        out: { type: 'string' },
        samples: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${REPORT_USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  if (!values.runs) throw new UserError(`missing --runs\n${REPORT_USAGE}`);
  const limit = sampleLimit(values.samples);
  const runs = await collectRuns([...values.runs, ...positionals]);
  const out = values.out ?? 'eval-report';
  const generatedAt = new Date().toISOString();
  const tables = buildTables(runs);
  const viewer = limit > 0 ? VIEWER : null;
  await mkdir(out, { recursive: true });
  const json = {
    generated_at: generatedAt,
    intervals: INTERVALS_NOTE,
    runs: runs.map((r) => ({ dir: r.dir, label: r.label, run: r.record, summary: r.summary })),
    tables,
    references: REFERENCES,
  };
  const written = ['report.md', 'report.json', 'report.html'];
  await writeAtomic(join(out, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeAtomic(join(out, 'report.md'), renderMarkdown(tables, generatedAt, viewer));
  await writeAtomic(join(out, 'report.html'), renderHtml(tables, generatedAt, viewer));
  if (viewer) {
    const samples = [];
    for (const run of runs) samples.push(await runSamples(run, limit));
    await writeAtomic(join(out, viewer), renderViewer(samples, generatedAt));
    written.push(viewer);
  }
  process.stdout.write(`${written.map((f) => join(out, f)).join('\n')}\n`);
  return 0;
}
