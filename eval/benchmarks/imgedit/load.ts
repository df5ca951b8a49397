// ImgEdit-Bench (basic / single-turn) loader: singleturn.json (or basic_edit.json) + category folders, and the
// judge prompt file (judge_prompt.json or prompts.json).
import { dirname, join } from 'node:path';
import { UserError } from '../../errors.js';
import { wrongDataFolder } from '../../data-layouts.js';
import { firstFile, requireExists } from '../../fsutil.js';
import { parseObjectEntries } from '../../jsonorder.js';
import { readText } from '../../predictions.js';
import { IMGEDIT_DATA } from './layout.js';

export interface ImgEditRecord {
  /** The key of singleturn.json ("22" … "1172"); edited outputs are saved as <key>.png. */
  key: string;
  /** Source image path relative to the benchmark folder, e.g. "daily object/000123.jpg". */
  id: string;
  imagePath: string;
  prompt: string;
  editType: string;
}

export interface ImgEditData {
  records: ImgEditRecord[];
  /** Folder holding the json, the image folders and (usually) the judge prompt file. */
  root: string;
  /** Path of the judge prompt file, when present. */
  promptFile: string | null;
}

const EDIT_FILES = [
  'singleturn.json',
  'Benchmark/singleturn/singleturn.json',
  'basic_edit.json',
  'Benchmark/Basic/basic_edit.json',
];
const PROMPT_FILES = ['judge_prompt.json', 'prompts.json'];

export async function loadImgEdit(path: string): Promise<ImgEditData> {
  let file = path;
  if ((await requireExists(path, 'ImgEdit data')) === 'dir') {
    const f = await firstFile(path, EDIT_FILES);
    if (!f) throw await wrongDataFolder(IMGEDIT_DATA, path);
    file = f;
  }
  const root = dirname(file);
  const entries = parseObjectEntries(await readText(file, 'ImgEdit json'), file);
  const records = entries.map(([key, v]) => {
    const r = (v ?? {}) as Record<string, unknown>;
    if (typeof r.id !== 'string' || typeof r.prompt !== 'string' || typeof r.edit_type !== 'string') {
      throw new UserError(`${file}: entry "${key}" lacks id, prompt or edit_type`);
    }
    return { key, id: r.id, imagePath: join(root, r.id), prompt: r.prompt, editType: r.edit_type };
  });
  return { records, root, promptFile: await firstFile(root, PROMPT_FILES) };
}

/** Judge prompts by edit type, loaded from the release's prompt file. */
export async function loadJudgePrompts(file: string): Promise<Map<string, string>> {
  const entries = parseObjectEntries(await readText(file, 'judge prompt file'), file);
  const out = new Map<string, string>();
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw new UserError(`${file}: prompt "${k}" is not a string`);
    out.set(k, v);
  }
  return out;
}
