// Types shared at the boundaries between loaders, scorers and the CLI.

/** An image as released: inline bytes (HF parquet struct or binary column) or a file on disk. */
export type ImageSource = { kind: 'bytes'; bytes: Uint8Array; name?: string } | { kind: 'file'; path: string };

/** One line of a predictions file. */
export interface Prediction {
  id: string;
  /** Model output; "" when the run recorded an error instead. */
  response: string;
  /** Per-sample error recorded by the runner, if any. */
  error?: string;
  /** Optional structured box from the server's grounding endpoint, original-image pixels. */
  box?: [number, number, number, number];
}

/** Metric name → value (percentages for accuracies, 1–5 for ImgEdit scores); null when undefined (no samples). */
export type Metrics = Record<string, number | null>;

/** One per-sample row of OUT/scores.jsonl. */
export type SampleScore = { id: string } & Record<string, unknown>;

export interface ScoreReport {
  benchmark: string;
  n: number;
  metrics: Metrics;
  /** For each percentage metric that is a proportion of samples (accuracies): how many samples it is over. */
  sample_counts: Record<string, number>;
  /** Data rows with no prediction (not scored). */
  missing: number;
  /** Settings that change the numbers (extractor, modes), so a report says how it was scored. */
  settings: Record<string, string | number | boolean>;
  /** ImgEdit: who judged the edits, when known (`run`'s oracle judge, `judge`'s LLM; not `score` of a result file). */
  judge?: JudgeRecord;
  samples: SampleScore[];
}

/** A report without its per-sample rows: what OUT/summary.json holds and the commands print. */
export type ScoreSummary = Omit<ScoreReport, 'samples'>;

export function summaryOf({ samples: _samples, ...summary }: ScoreReport): ScoreSummary {
  return summary;
}

/**
 * Who judged ImgEdit edits: the world mini-benchmark's oracle judge, or a vision LLM at an OpenAI-compatible
 * endpoint (its URL, which carries no credentials, the model name, and the sha256 of the judge prompt file).
 */
export type JudgeRecord =
  | { kind: 'world-oracle' }
  | { kind: 'openai'; url: string; model: string; prompts_sha256: string };

/** Percentage of hits, null when there is nothing to average. */
export function percent(hits: number, total: number): number | null {
  return total === 0 ? null : (hits / total) * 100;
}
