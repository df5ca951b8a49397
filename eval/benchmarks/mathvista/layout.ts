// What `--data` takes for MathVista.
import type { DataLayout } from '../../data-layouts.js';

export const MATHVISTA_DATA: DataLayout = {
  title: 'MathVista',
  expected: 'testmini-*.parquet',
  help: [
    'the MathVista folder: testmini-*.parquet here or in data/ (HF AI4Math/MathVista), or testmini.json',
    '[+ query.json] here or in data/ with images/ beside (GitHub release); or one .parquet or .json file',
  ],
};
