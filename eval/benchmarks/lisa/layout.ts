// What `--data` takes for Lisa-Grounding.
import type { DataLayout } from '../../data-layouts.js';

export const LISA_DATA: DataLayout = {
  title: 'Lisa-Grounding',
  expected: 'lisa_test.json',
  help: [
    'a folder with lisa_test.json (or lisa_grounding/lisa_test.json) and its images beside it or in lisa_test/,',
    'test/ or images/; or the .json file (score: --images DIR for another image folder)',
  ],
};
