// Published numbers a report shows beside the runs, copied from ../shared/reference/lavida-family.md §8 (and
// §4.7 for LaViDa-O), with that file's source labels. Real benchmarks, not the world mini-benchmarks.

export interface ReferenceNumber {
  system: string;
  /** Canonical benchmark name and the metric key `lavida-eval score` reports for it. */
  benchmark: string;
  metric: string;
  value: number;
  source: string;
}

const R1 = 'LaViDa-R1 (paper)';
const O = 'LaViDa-O (baseline)';

export const REFERENCES: ReferenceNumber[] = [
  { system: R1, benchmark: 'mathvista', metric: 'accuracy', value: 60.0, source: 'lavida-family.md §8.1 [secondary P2, N1, N6]; testmini' },
  { system: R1, benchmark: 'chartqa', metric: 'relaxed_overall', value: 81.7, source: 'lavida-family.md §8.1 [secondary P2, N6]' },
  // the sources do not say which MMMU-Pro setting 32.8 is; shown against the standard/vision mean
  { system: R1, benchmark: 'mmmu-pro', metric: 'mean', value: 32.8, source: 'lavida-family.md §8.1 [secondary P2, N6]; setting not stated' },
  { system: R1, benchmark: 'lisa', metric: 'P@0.5', value: 66.7, source: 'lavida-family.md §8.1 [secondary P2, N1]' },
  { system: R1, benchmark: 'lisa', metric: 'miou', value: 60.0, source: 'lavida-family.md §8.1 [secondary N1, N6]' },
  { system: R1, benchmark: 'imgedit', metric: 'overall', value: 3.90, source: 'lavida-family.md §8.1 [secondary N1, N6]' },
  { system: O, benchmark: 'chartqa', metric: 'relaxed_overall', value: 80.8, source: 'lavida-family.md §8.2 [secondary P3]' },
  { system: O, benchmark: 'lisa', metric: 'miou', value: 26.1, source: 'lavida-family.md §8.2 [derived: 60.0 − 33.9, secondary N1, N6]' },
  { system: O, benchmark: 'imgedit', metric: 'overall', value: 3.80, source: 'lavida-family.md §8.2, §4.7 [derived; secondary N2]' },
];
