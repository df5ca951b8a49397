// Time to first token for a diffusion model: the first denoising pass commits the first tokens of the canvas
// (every position is still open to later passes), so the time from the request body's arrival to that pass's
// output is what a client waits before it can see anything.
import type { Metrics, Task } from './metrics.js';

/** A callback for every pass of a request's jobs: the first call observes the request's time to first token. */
export function firstTokenTimer(metrics: Metrics, task: Task, start: number): () => void {
  let observed = false;
  return () => {
    if (observed) return;
    observed = true;
    metrics.timeToFirstToken.observe({ task }, (performance.now() - start) / 1000);
  };
}
