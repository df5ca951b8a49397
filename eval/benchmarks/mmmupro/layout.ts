// What `--data` takes for MMMU-Pro.
import type { DataLayout } from '../../data-layouts.js';

export const MMMU_PRO_DATA: DataLayout = {
  title: 'MMMU-Pro',
  expected: '"standard (10 options)/" and "vision/" folders',
  help: [
    'the MMMU_Pro folder: "standard (10 options)/test-*.parquet" and "vision/test-*.parquet" (HF MMMU/MMMU_Pro);',
    'or one config folder of test-*.parquet (a name with "vision" in it is the vision setting), or one .parquet file',
  ],
};
