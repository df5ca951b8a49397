// Lisa-Grounding loader: VLM-R1's lisa_test.json (array of {image, problem, solution}) + the image folder.
import { dirname, join } from 'node:path';
import { UserError } from '../../errors.js';
import { wrongDataFolder } from '../../data-layouts.js';
import { firstFile, kindOf, requireExists } from '../../fsutil.js';
import { readJsonArray } from '../../json.js';
import type { Box } from './box.js';
import { LISA_DATA } from './layout.js';

export interface LisaRecord {
  /** 0-based index in lisa_test.json: the prediction id. */
  index: number;
  /** Path relative to the image root, as released. */
  image: string;
  /** Resolved image file. */
  imagePath: string;
  problem: string;
  /** Ground truth [x1, y1, x2, y2] in original-image pixels. */
  solution: Box;
}

export interface LisaLoadOptions {
  /** Folder the `image` paths are relative to; default: found beside the json (., lisa_test/, test/). */
  imageRoot?: string;
}

function isBox(v: unknown): v is Box {
  return Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

async function findImageRoot(jsonDir: string, first: string | undefined): Promise<string> {
  if (first === undefined) return jsonDir;
  for (const c of ['.', 'lisa_test', 'lisa-test', 'test', 'images']) {
    if ((await kindOf(join(jsonDir, c, first))) === 'file') return join(jsonDir, c);
  }
  return jsonDir;
}

export async function loadLisa(path: string, opts: LisaLoadOptions = {}): Promise<LisaRecord[]> {
  let file = path;
  if ((await requireExists(path, 'Lisa-Grounding data')) === 'dir') {
    const f = await firstFile(path, [
      'lisa_test.json',
      'lisa_grounding/lisa_test.json',
      'rec_jsons_processed/lisa_test.json',
    ]);
    if (!f) throw await wrongDataFolder(LISA_DATA, path);
    file = f;
  }
  const rows = await readJsonArray(file, 'Lisa json');
  const first = rows[0]?.image;
  const root = opts.imageRoot ?? (await findImageRoot(dirname(file), typeof first === 'string' ? first : undefined));
  return rows.map((r, index) => {
    if (typeof r.image !== 'string' || typeof r.problem !== 'string' || !isBox(r.solution)) {
      throw new UserError(`${file}: record ${index} lacks image, problem or a 4-number solution`);
    }
    return { index, image: r.image, imagePath: join(root, r.image), problem: r.problem, solution: r.solution };
  });
}
