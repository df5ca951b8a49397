// What `npm run bench` measures per configuration: every sample once through the engine, at most `concurrency`
// requests in flight, and the summary of those requests (tokens/s, latency percentiles, accuracy).
import type { Engine } from '../server/engine/engine.js';
import type { RgbImage } from '../server/engine/image/rgb.js';
import { extractAnswer } from '../server/engine/text/answer.js';

export type Decoding = { threshold: number | null; dualCache: boolean };
export interface Row {
  index: number;
  latency_s: number;
  tokens: number;
  nfe: number;
  correct: boolean;
}
export interface Summary {
  tokens_per_s: number;
  requests_per_s: number;
  nfe_mean: number;
  p50_s: number;
  p95_s: number;
  accuracy: number;
  correct: boolean[];
}
export interface Sample {
  id: string;
  family: string;
  image: string;
  prompt: string;
  target: string;
}

export const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

export function summarize(rows: Row[], wall: number): Summary {
  const sum = (f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0);
  const correct: boolean[] = [];
  for (const r of rows) correct[r.index] = r.correct;
  return {
    tokens_per_s: sum((r) => r.tokens) / wall,
    requests_per_s: rows.length / wall,
    nfe_mean: sum((r) => r.nfe) / rows.length,
    p50_s: quantile(
      rows.map((r) => r.latency_s),
      0.5,
    ),
    p95_s: quantile(
      rows.map((r) => r.latency_s),
      0.95,
    ),
    accuracy: sum((r) => Number(r.correct)) / rows.length,
    correct,
  };
}

/** Every sample once, with at most `concurrency` requests in flight. */
export async function measure(
  engine: Engine,
  samples: Array<Sample & { rgb: RgbImage }>,
  concurrency: number,
  decoding: Decoding,
): Promise<Summary> {
  const rows: Row[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < samples.length) {
        const index = next++;
        const s = samples[index]!;
        const t = performance.now();
        const r = await engine.vqa(s.rgb, s.prompt, { sampling: decoding });
        const stop = r.tokens.findIndex(
          (id) => id === engine.model.config.eos_token_id || id === engine.model.config.eot_token_id,
        );
        rows.push({
          index,
          latency_s: (performance.now() - t) / 1000,
          tokens: stop < 0 ? r.tokens.length : stop,
          nfe: r.nfe,
          correct: extractAnswer(r.text) === s.target,
        });
      }
    }),
  );
  return summarize(rows, (performance.now() - began) / 1000);
}
