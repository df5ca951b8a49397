// The contract between the sampler loops and whatever runs the model (sampling/denoise.py): ONNX Runtime
// (ort/denoisers.ts), fakes in tests.

/** Per canvas position, flat [batch * length]: the candidate token (greedy: the argmax) and its confidence. */
export interface Candidates {
  ids: ArrayLike<number>;
  confidence: ArrayLike<number>;
}

/** The block a text pass decodes, and whether the pass is the block's first (the dual cache refreshes then). */
export interface BlockPass {
  start: number;
  end: number;
  first: boolean;
}

/** One denoising pass over the flat [batch * length] canvas; `step` counts passes from 0 (for schedules that
 *  depend on it, e.g. the image temperature). Text samplers say which block they decode: candidates outside it
 *  may then be left out (any id, confidence 0). */
export type Denoise = (canvas: Int32Array, step: number, block?: BlockPass) => Candidates | Promise<Candidates>;

/** Called after every pass with the number of passes so far and the canvas (streaming). */
export type StepCallback = (nfe: number, canvas: Int32Array) => void;

/** The image loop's: it waits for the callback's work (an edit's previews decode the canvas) before the next pass. */
export type AsyncStepCallback = (nfe: number, canvas: Int32Array) => void | Promise<void>;
