// An MMMU-Pro item as one request.
import { UserError } from '../../errors.js';
import type { Task, TaskImage } from '../benchmark.js';
import { needImage } from '../tasks.js';
import type { MMMUProRecord } from './load.js';
import { BARE_IMAGE, countBareImages, mmmuProPrompt, type MMMUProPromptStyle } from './prompt.js';

/**
 * The server takes one image per request: an item whose prompt refers to several images (standard image_1…
 * image_7) gets them composed into one, panels in ascending image number, the `<image k>` tags kept in the text
 * (prompt.ts). Referenced images missing from the row are left out; a prompt that refers to none of the row's
 * images gets all of them. A single image is sent as released.
 */
export function mmmuProTask(r: MMMUProRecord, s: MMMUProPromptStyle, cot: boolean): Task {
  const id = `${r.setting}/${r.id}`;
  const p = mmmuProPrompt(r, s, cot);
  if (countBareImages(p.text) > 1) {
    throw new UserError(
      `sample ${id}: the text names ${BARE_IMAGE} more than once, which the server rejects (one image per request)`,
    );
  }
  const present = p.imageRefs.filter((k) => r.images.has(k));
  const keys = present.length > 0 ? present : [...r.images.keys()].sort((a, b) => a - b);
  const parts = keys.map((k) => r.images.get(k)!);
  const image: TaskImage = parts.length > 1 ? { kind: 'composed', parts } : needImage(parts[0], id);
  return { id, kind: 'vqa', question: p.text, image };
}
