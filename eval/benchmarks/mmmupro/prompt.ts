// MMMU-Pro prompts: official mmmu-pro/infer (prompts.yaml) and lmms-eval tasks/mmmu_pro.
import { PY_WS_CLASS } from '../../python.js';
import type { MMMUProRecord } from './load.js';

export type MMMUProPromptStyle = 'official' | 'lmms-eval';

const LAST_LINE = "The last line of your response should be of the following format: 'Answer: $LETTER' (without quotes) where LETTER is one of options.";
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
  /** Image numbers to send, in order: image_N for standard, 0 for the vision screenshot. */
  imageRefs: number[];
}

const IMAGE_TAG = new RegExp(`<image[${PY_WS_CLASS}]+(\\d+)>`, 'g');

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
    // images in order of appearance, duplicates included; tags become a bare <image>
    const imageRefs = [...text.matchAll(IMAGE_TAG)].map((m) => Number(m[1]));
    return { text: text.replace(IMAGE_TAG, '<image>'), imageRefs };
  }
  const text = `${question}\n${optionsBlock(r.options)}\n\n${cot ? INSTRUCTIONS.lmmsCotStandard : DIRECT}`;
  const refs = new Set([question, ...r.options].flatMap((t) => [...t.matchAll(IMAGE_TAG)].map((m) => Number(m[1]))));
  return { text, imageRefs: [...refs].sort((a, b) => a - b) }; // tags kept; sorted unique images
}
