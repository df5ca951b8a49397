// MMMU-Pro prompts: official mmmu-pro/infer (prompts.yaml) and lmms-eval tasks/mmmu_pro.
import { PY_WS_CLASS } from '../../python.js';
import type { MMMUProRecord } from './load.js';

export type MMMUProPromptStyle = 'official' | 'lmms-eval';

const LAST_LINE =
  "The last line of your response should be of the following format: 'Answer: $LETTER' (without quotes) where LETTER is one of options.";
const DIRECT = 'Answer with the option letter from the given choices directly.';

export const INSTRUCTIONS = {
  officialCotStandard: `Answer the preceding multiple choice question. ${LAST_LINE} Think step by step before answering.`,
  cotVision: `Write out the multiple-choice question in the image and then solve it. ${LAST_LINE} Think step by step before answering.`,
  direct: DIRECT,
  officialDirectVision: `${DIRECT} ${LAST_LINE}`,
  lmmsCotStandard: `Answer the following multiple choice question. ${LAST_LINE} Think step by step before answering.`,
};

export interface MMMUProPrompt {
  text: string;
  /**
   * The images the request shows: image_N for standard (ascending, each once; when several, they are composed
   * into one image in this order, see eval/compose.ts), 0 for the vision screenshot.
   */
  imageRefs: number[];
}

const IMAGE_TAG = new RegExp(`<image[${PY_WS_CLASS}]+(\\d+)>`, 'g');
/** The server's image placeholder; a request's text may name it at most once. */
export const BARE_IMAGE = '<image>';

export const countBareImages = (text: string): number => text.split(BARE_IMAGE).length - 1;

const sortedUnique = (ns: number[]): number[] => [...new Set(ns)].sort((a, b) => a - b);

export function optionsBlock(options: string[]): string {
  return options.map((o, i) => `${String.fromCharCode(65 + i)}. ${o}`).join('\n');
}

export function mmmuProPrompt(r: MMMUProRecord, style: MMMUProPromptStyle, cot: boolean): MMMUProPrompt {
  if (r.setting === 'vision') {
    const text = cot ? INSTRUCTIONS.cotVision : style === 'official' ? INSTRUCTIONS.officialDirectVision : DIRECT;
    return { text, imageRefs: [0] };
  }
  const question = r.question ?? '';
  if (style === 'official') {
    const text = `${question}\n${optionsBlock(r.options)}\n${cot ? INSTRUCTIONS.officialCotStandard : DIRECT}`;
    // Upstream: every tag becomes a bare <image>, one image per tag in order of appearance. The server takes one
    // image, so only a text with exactly one tag is interleaved that way; with several tags (several images, or
    // one image named twice) the tags stay as written, the image (composed) goes before the text, as lmms-eval
    // does, and <image k> is panel k in reading order.
    const refs = [...text.matchAll(IMAGE_TAG)].map((m) => Number(m[1]));
    if (refs.length === 1 && countBareImages(text) === 0)
      return { text: text.replace(IMAGE_TAG, BARE_IMAGE), imageRefs: refs };
    return { text, imageRefs: sortedUnique(refs) };
  }
  const text = `${question}\n${optionsBlock(r.options)}\n\n${cot ? INSTRUCTIONS.lmmsCotStandard : DIRECT}`;
  const refs = [question, ...r.options].flatMap((t) => [...t.matchAll(IMAGE_TAG)].map((m) => Number(m[1])));
  return { text, imageRefs: sortedUnique(refs) }; // tags kept; sorted unique images
}
