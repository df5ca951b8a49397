// What `--data` takes for ImgEdit.
import type { DataLayout } from '../../data-layouts.js';

export const IMGEDIT_DATA: DataLayout = {
  title: 'ImgEdit',
  expected: 'singleturn.json',
  help: [
    'the ImgEdit folder: singleturn.json (or Benchmark/singleturn/singleturn.json, or basic_edit.json) beside the',
    'edit-type image folders; world data (make_benchmarks) also has ImgEdit/world_targets/ for the oracle judge',
  ],
};
