// ImgEdit (singleturn): an edit request per instruction; the official judge protocol's scores from a judge result.
import type { Benchmark } from '../benchmark.js';
import { head } from '../tasks.js';
import { IMGEDIT_DATA } from './layout.js';
import { loadImgEdit } from './load.js';
import { IMGEDIT_REPORT, imgEditVerdict } from './report.js';
import { scoreResultFile } from './score.js';

export const imgedit: Benchmark = {
  name: 'imgedit',
  aliases: ['imgedit-bench'],
  data: IMGEDIT_DATA,
  request: { kind: 'edit' },
  promptStyles: [],
  direct: false,
  async tasks(data, o) {
    return head((await loadImgEdit(data)).records, o.limit).map((r) => ({
      id: r.key,
      kind: 'edit',
      instruction: r.prompt,
      image: { kind: 'file', path: r.imagePath },
    }));
  },
  scoreOptions: [],
  scoreHelp: [],
  score: (data, predictions) => scoreResultFile(data, predictions),
  report: IMGEDIT_REPORT,
  verdict: imgEditVerdict,
};
