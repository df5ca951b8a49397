// What `--data` takes for each benchmark: the help text of `run` and `score`, and the error for a wrong folder.
import { readdir } from 'node:fs/promises';
import { UserError } from './errors.js';

interface DataLayout {
  /** The benchmark's name as its authors write it. */
  title: string;
  /** The file (or folders) whose absence makes a folder the wrong one. */
  expected: string;
  /** Help lines: what `--data` may point at. */
  help: string[];
}

/** By canonical benchmark name (score.ts), in the order `--help` lists them. */
export const DATA_LAYOUTS: Record<string, DataLayout> = {
  mathvista: {
    title: 'MathVista',
    expected: 'testmini-*.parquet',
    help: [
      'the MathVista folder: testmini-*.parquet here or in data/ (HF AI4Math/MathVista), or testmini.json',
      '[+ query.json] here or in data/ with images/ beside (GitHub release); or one .parquet or .json file',
    ],
  },
  chartqa: {
    title: 'ChartQA',
    expected: 'test_human.json',
    help: [
      'a folder with test_human.json, test_augmented.json and png/ (here, in test/ or in "ChartQA Dataset/test/"),',
      'or with test-*.parquet here or in data/ (HF lmms-lab/ChartQA, HuggingFaceM4/ChartQA); or one .parquet file',
    ],
  },
  'mmmu-pro': {
    title: 'MMMU-Pro',
    expected: '"standard (10 options)/" and "vision/" folders',
    help: [
      'the MMMU_Pro folder: "standard (10 options)/test-*.parquet" and "vision/test-*.parquet" (HF MMMU/MMMU_Pro);',
      'or one config folder of test-*.parquet (a name with "vision" in it is the vision setting), or one .parquet file',
    ],
  },
  lisa: {
    title: 'Lisa-Grounding',
    expected: 'lisa_test.json',
    help: [
      'a folder with lisa_test.json (or lisa_grounding/lisa_test.json) and its images beside it or in lisa_test/,',
      'test/ or images/; or the .json file (score: --images DIR for another image folder)',
    ],
  },
  imgedit: {
    title: 'ImgEdit',
    expected: 'singleturn.json',
    help: [
      'the ImgEdit folder: singleturn.json (or Benchmark/singleturn/singleturn.json, or basic_edit.json) beside the',
      'edit-type image folders; world data (make_benchmarks) also has ImgEdit/world_targets/ for the oracle judge',
    ],
  },
};

/** The `--data` section of `run --help` and `score --help`. */
export function dataLayoutHelp(): string {
  const lines = Object.entries(DATA_LAYOUTS).flatMap(([name, l]) => l.help.map((h, i) => `  ${(i === 0 ? name : '').padEnd(10)} ${h}`));
  return `--data for each benchmark:\n${lines.join('\n')}`;
}

const SHOWN_ENTRIES = 8;

/** "a folder holding A/, b.json, … (12 entries)" or "an empty folder". */
async function describeFolder(dir: string): Promise<string> {
  const entries = (await readdir(dir, { withFileTypes: true }).catch(() => [])).map((e) => `${e.name}${e.isDirectory() ? '/' : ''}`).sort();
  if (entries.length === 0) return 'an empty folder';
  const shown = entries.slice(0, SHOWN_ENTRIES).join(', ');
  return `a folder holding ${shown}${entries.length > SHOWN_ENTRIES ? `, … (${entries.length} entries)` : ''}`;
}

/**
 * The error for a `--data` folder without the benchmark's files, e.g. "expected ChartQA's test_human.json here;
 * got a folder holding ChartQA/, MathVista/". `expected` overrides the layout's file (MathVista's other splits).
 */
export async function wrongDataFolder(benchmark: string, dir: string, expected = DATA_LAYOUTS[benchmark]!.expected): Promise<UserError> {
  const { title } = DATA_LAYOUTS[benchmark]!;
  return new UserError(`--data ${dir}: expected ${title}'s ${expected} here; got ${await describeFolder(dir)} ` +
    '(`lavida-eval run --help` lists the folder each benchmark takes)');
}
