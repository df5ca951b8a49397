// The contract between the samplers and whatever runs the model (ONNX Runtime later, fakes in tests).

/** Per canvas position, flat [batch * length]: the candidate token (greedy: the argmax) and its confidence. */
export interface Candidates {
  ids: ArrayLike<number>;
  confidence: ArrayLike<number>;
}

/** One denoising pass over the flat [batch * length] canvas; `step` counts passes from 0 (for schedules that
 *  depend on it, e.g. the image temperature). */
export type Denoise = (canvas: Int32Array, step: number) => Candidates | Promise<Candidates>;

/** Called after every pass with the number of passes so far and the canvas (streaming). */
export type StepCallback = (nfe: number, canvas: Int32Array) => void;
