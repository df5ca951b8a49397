// Classifier-free guidance of edits (sampling/image.py guidance_variants, combine_guidance; prompts.py
// edit_condition_mask): the prompt's variants and the combination of their VQ logits,
//   g' = (1 + s_img)·cond − s_img·uncond_img;  logits = (1 + s)·g' − s·uncond
// in float32, as PyTorch computes it on float32 logits.
import type { ModelConfig } from '../package/model-config.js';

/** Text (`text`, s) and image (`image`, s_img) guidance scales; 0 turns each off. */
export interface GuidanceScales {
  text: number;
  image: number;
}

/** Guided edits run three variants of the prompt per image pass (both scales 0: one, the plain prompt). */
export const isGuided = (g: GuidanceScales): boolean => g.text !== 0 || g.image !== 0;

export const GUIDANCE_VARIANTS = 3;

/** The instruction of an edit prompt: the user turn's tokens after the edit-source slots, up to the
 *  `<|eot_id|>` that closes the turn (what the unconditional variants mask). */
export function editConditionMask(c: ModelConfig, ids: ArrayLike<number>): boolean[] {
  const all = Array.from(ids);
  const last = all.lastIndexOf(c.edit_token_id);
  if (last < 0) throw new Error('an edit prompt holds the edit-source slots');
  const end = all.indexOf(c.eot_token_id, last);
  return all.map((_, i) => i > last && i < end);
}

/** [cond, uncond_img, uncond] prompt ids of an edit prompt: the image and edit-source slots become the text mask
 *  token in both unconditional variants (their features drop out), the instruction too in `uncond`. */
export function guidanceVariants(c: ModelConfig, ids: number[]): number[][] {
  const condition = editConditionMask(c, ids);
  const slot = (t: number) => t === c.image_token_id || t === c.edit_token_id;
  return [
    ids,
    ids.map((t) => (slot(t) ? c.mask_token_id : t)),
    ids.map((t, i) => (slot(t) || condition[i] ? c.mask_token_id : t)),
  ];
}

/** Guided logits of `rows` rows from the variants' logits, each [rows * width] (cond, uncond_img, uncond). */
export function combineGuidance(variants: Float32Array[], g: GuidanceScales): Float32Array {
  const [cond, uncondImage, uncond] = variants as [Float32Array, Float32Array, Float32Array];
  const f = Math.fround;
  const [si, s] = [f(g.image), f(g.text)];
  const [ki, k] = [f(1 + g.image), f(1 + g.text)];
  const out = new Float32Array(cond.length);
  for (let i = 0; i < cond.length; i++) {
    const guided = f(f(ki * cond[i]!) - f(si * uncondImage[i]!));
    out[i] = f(k * guided) - f(s * uncond[i]!);
  }
  return out;
}
