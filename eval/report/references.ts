// Published numbers a report shows beside the runs, on the real benchmarks (not the world mini-benchmarks):
// LaViDa-R1's from its paper, LaViDa-O's (the base model) from its paper or the LaViDa-R1 paper's comparison.

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
const R1_PAPER = 'LaViDa-R1, Li, Zhu et al., arXiv 2602.14147, results table';
const O_PAPER = 'LaViDa-O, Li et al., arXiv 2509.19244';

export const REFERENCES: ReferenceNumber[] = [
  { system: R1, benchmark: 'mathvista', metric: 'accuracy', value: 60.0, source: `${R1_PAPER}; testmini` },
  { system: R1, benchmark: 'chartqa', metric: 'relaxed_overall', value: 81.7, source: R1_PAPER },
  // the paper's MMMU-Pro setting is not stated; shown against the standard/vision mean
  { system: R1, benchmark: 'mmmu-pro', metric: 'mean', value: 32.8, source: `${R1_PAPER}; setting not stated` },
  { system: R1, benchmark: 'lisa', metric: 'P@0.5', value: 66.7, source: R1_PAPER },
  { system: R1, benchmark: 'lisa', metric: 'miou', value: 60.0, source: R1_PAPER },
  { system: R1, benchmark: 'imgedit', metric: 'overall', value: 3.9, source: R1_PAPER },
  {
    system: O,
    benchmark: 'chartqa',
    metric: 'relaxed_overall',
    value: 80.8,
    source: `${O_PAPER}, as compared in arXiv 2602.14147`,
  },
  {
    system: O,
    benchmark: 'lisa',
    metric: 'miou',
    value: 26.1,
    source: "derived: LaViDa-R1's 60.0 less the +33.9 over LaViDa-O it reports (arXiv 2602.14147)",
  },
  { system: O, benchmark: 'imgedit', metric: 'overall', value: 3.8, source: `${O_PAPER}; overall with planning` },
];
