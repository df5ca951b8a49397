// What `--data` takes for ChartQA.
import type { DataLayout } from '../../data-layouts.js';

export const CHARTQA_DATA: DataLayout = {
  title: 'ChartQA',
  expected: 'test_human.json',
  help: [
    'a folder with test_human.json, test_augmented.json and png/ (here, in test/ or in "ChartQA Dataset/test/"),',
    'or with test-*.parquet here or in data/ (HF lmms-lab/ChartQA, HuggingFaceM4/ChartQA); or one .parquet file',
  ],
};
