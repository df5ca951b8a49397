// Which masked positions a step commits (sampling/select.py select_scheduled / select_threshold), one row at a
// time. Confidence is -Infinity where a position is not eligible.

/** The `count` most confident positions; ties go to the lower position (a stable descending argsort). */
export function selectScheduled(confidence: ArrayLike<number>, count: number): boolean[] {
  const order = Array.from({ length: confidence.length }, (_, i) => i);
  order.sort((a, b) => (confidence[b]! > confidence[a]! ? 1 : confidence[b]! < confidence[a]! ? -1 : a - b));
  const chosen = new Array<boolean>(confidence.length).fill(false);
  for (let r = 0; r < Math.min(count, order.length); r++) chosen[order[r]!] = true;
  return chosen;
}

/** Every eligible position above the threshold, and always the most confident one (the first on ties). */
export function selectThreshold(confidence: ArrayLike<number>, threshold: number): boolean[] {
  let best = 0;
  for (let i = 1; i < confidence.length; i++) if (confidence[i]! > confidence[best]!) best = i;
  return Array.from(confidence, (c, i) => Number.isFinite(c) && (c > threshold || i === best));
}
