// MMMU-Pro loader: HF MMMU/MMMU_Pro configs "standard (10 options)" and "vision" (folders of test-*.parquet).
import { basename, join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { UserError } from '../../errors.js';
import { wrongDataFolder } from '../../data-layouts.js';
import { filesIn, kindOf, requireExists } from '../../fsutil.js';
import { readParquetRows, str, toImageSource } from '../../parquet.js';
import { parseStringList } from '../../pyliteral.js';
import type { ImageSource } from '../../types.js';
import { MMMU_PRO_DATA } from './layout.js';

export type MMMUProSetting = 'standard' | 'vision';

export interface MMMUProRecord {
  setting: MMMUProSetting;
  id: string;
  /** null for vision records (the question is in the image). */
  question: string | null;
  options: string[];
  answer: string;
  subject: string | null;
  /** Standard: image_1..image_7 by number (null cells omitted). Vision: the screenshot under key 0. */
  images: Map<number, ImageSource>;
}

export interface MMMUProLoadOptions {
  images?: boolean;
  settings?: MMMUProSetting[];
}

/** Config folder names as released (older revisions used plain "standard"). */
const CONFIG_DIRS: Record<MMMUProSetting, string[]> = {
  standard: ['standard (10 options)', 'standard'],
  vision: ['vision'],
};

const TEXT_COLS = ['id', 'question', 'options', 'answer', 'subject'];
const IMAGE_COLS = ['image', ...Array.from({ length: 7 }, (_, i) => `image_${i + 1}`)];

async function loadConfig(dir: string, setting: MMMUProSetting, opts: MMMUProLoadOptions): Promise<MMMUProRecord[]> {
  const files = (await kindOf(dir)) === 'file' ? [dir] : await filesIn(dir, ['.'], (n) => n.endsWith('.parquet'));
  if (files.length === 0) throw await wrongDataFolder(MMMU_PRO_DATA, dir);
  const out: MMMUProRecord[] = [];
  for (const f of files) {
    for (const r of await readParquetRows(f, opts.images ? [...TEXT_COLS, ...IMAGE_COLS] : TEXT_COLS)) {
      const id = str(r.id);
      const answer = str(r.answer);
      const optText = str(r.options);
      if (id === null || answer === null || optText === null)
        throw new UserError(`${f}: a row lacks id, answer or options`);
      let options: string[];
      try {
        options = parseStringList(optText);
      } catch (e) {
        throw new UserError(`${f}: options of ${id} are not a Python list literal (${(e as Error).message})`);
      }
      const images = new Map<number, ImageSource>();
      if (opts.images) {
        if (setting === 'vision') {
          const img = toImageSource(r.image);
          if (img) images.set(0, img);
        } else {
          for (let k = 1; k <= 7; k++) {
            const img = toImageSource(r[`image_${k}`]);
            if (img) images.set(k, img);
          }
        }
      }
      out.push({
        setting,
        id,
        question: setting === 'vision' ? null : str(r.question),
        options,
        answer,
        subject: str(r.subject),
        images,
      });
    }
  }
  return out;
}

function settingOfName(name: string): MMMUProSetting | null {
  for (const s of ['standard', 'vision'] as const) if (CONFIG_DIRS[s].includes(name)) return s;
  return null;
}

/**
 * Loads from the dataset root (config folders inside), one config folder, or one parquet file. A folder or
 * file outside the known config names is standard unless its name contains "vision".
 */
export async function loadMMMUPro(path: string, opts: MMMUProLoadOptions = {}): Promise<MMMUProRecord[]> {
  const wanted = opts.settings ?? ['standard', 'vision'];
  const kind = await requireExists(path, 'MMMU-Pro data');
  if (kind === 'dir') {
    const names = new Set(await readdir(path));
    const out: MMMUProRecord[] = [];
    for (const s of wanted) {
      const name = CONFIG_DIRS[s].find((n) => names.has(n));
      if (name) out.push(...(await loadConfig(join(path, name), s, opts)));
    }
    if (out.length > 0) return out;
  }
  const own = settingOfName(basename(path)) ?? (basename(path).includes('vision') ? 'vision' : 'standard');
  if (!wanted.includes(own)) throw new UserError(`${path} holds the ${own} setting, which was not requested`);
  return loadConfig(path, own, opts);
}
