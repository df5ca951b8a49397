// `lavida-eval judge`: ImgEdit edits → an OpenAI-compatible vision judge (the official request, one per edit) →
// the result file, written after every reply → the official step 1 / step 2 scores, recorded with the judge (and,
// for a run folder, written as its summary.json and scores.jsonl).
import { AuthenticationError, NotFoundError, PermissionDeniedError } from 'openai';
import { editedImagePath, judgeReply } from '../benchmarks/imgedit/judge.js';
import { loadImgEdit, loadJudgePrompts, type ImgEditRecord } from '../benchmarks/imgedit/load.js';
import { isUnparseable, scoreResultFile } from '../benchmarks/imgedit/score.js';
import { UserError } from '../errors.js';
import { kindOf } from '../fsutil.js';
import { checkReachable, openaiClient, rootMessage, type OpenAIEndpoint } from '../llm.js';
import { writeScoreReport } from '../output.js';
import { forEachConcurrent } from '../pool.js';
import { progressBar } from '../run/progress.js';
import { fileSha256 } from '../run/provenance.js';
import { summaryOf, type JudgeRecord, type ScoreSummary } from '../types.js';
import { isReply, readResults, ResultFile } from './results.js';

export interface JudgeOptions {
  /** ImgEdit data as released (singleturn.json or basic_edit.json, the source images). */
  data: string;
  /** The edited images, `<key>.png`. */
  images: string;
  /** The result file. */
  out: string;
  /** The judge prompt file; default: the one beside the data's json. */
  prompts?: string;
  endpoint: OpenAIEndpoint;
  concurrency: number;
  /** Per attempt. */
  timeoutMs: number;
  /** Continue an existing result file: keep its replies, judge its failed calls and the missing keys. */
  resume: boolean;
  progressEverySeconds: number;
  /** A `run --benchmark imgedit` folder, whose summary.json and scores.jsonl the scores become. */
  run?: string;
}

export interface JudgeOutcome {
  /** Edits with an edited image (the keys judged, now or by an earlier invocation). */
  total: number;
  /** Requests sent by this invocation. */
  judged: number;
  /** Replies kept from an earlier invocation. */
  kept: number;
  /** Keys whose judge call failed (their value is {"error": …}). */
  errors: string[];
  /** Keys whose reply has no `Label: N` line (dropped from the scores, as the official step 1 drops them). */
  unparseable: string[];
  /** Records without an edited image (not judged). */
  withoutImage: number;
  /** The scores, with the judge that gave them (`judge`). */
  summary: ScoreSummary;
}

/** Answers that no other request would change (a wrong key, model or URL): the run stops on the first. */
const FATAL = [AuthenticationError, PermissionDeniedError, NotFoundError];

/** The judge prompt file: --prompts, else the one beside the data's json. */
function promptFile(o: JudgeOptions, beside: string | null): string {
  const file = o.prompts ?? beside;
  if (file === null)
    throw new UserError(
      `no judge prompt file (judge_prompt.json or prompts.json) beside the data's json: pass --prompts FILE`,
    );
  return file;
}

/** The earlier result file's entries; refused without --resume, and when they name keys the data lacks. */
async function earlier(o: JudgeOptions, records: ImgEditRecord[]): Promise<Array<[string, unknown]>> {
  const entries = await readResults(o.out);
  if (entries.length > 0 && !o.resume)
    throw new UserError(`${o.out} already holds judge results: pass --resume to continue it, or another --out`);
  const keys = new Set(records.map((r) => r.key));
  const stray = entries.find(([k]) => !keys.has(k));
  if (stray)
    throw new UserError(`${o.out}: key "${stray[0]}" matches no record of ${o.data} (another benchmark's results?)`);
  return entries;
}

export async function judgeImgEdit(o: JudgeOptions): Promise<JudgeOutcome> {
  const { records, promptFile: beside } = await loadImgEdit(o.data);
  const prompts = promptFile(o, beside);
  const byType = await loadJudgePrompts(prompts);
  const judge: JudgeRecord = {
    kind: 'openai',
    url: o.endpoint.url,
    model: o.endpoint.model,
    prompts_sha256: await fileSha256(prompts),
  };
  if ((await kindOf(o.images)) !== 'dir')
    throw new UserError(`--images ${o.images}: not a folder of edited images (<key>.png)`);
  const edited: ImgEditRecord[] = [];
  for (const r of records) if ((await kindOf(editedImagePath(o.images, r.key))) === 'file') edited.push(r);
  if (edited.length === 0) throw new UserError(`--images ${o.images} holds no edited image <key>.png of ${o.data}`);

  const entries = await earlier(o, records);
  const file = new ResultFile(
    o.out,
    records.map((r) => r.key),
    entries,
  );
  const done = new Set(entries.filter(([, v]) => isReply(v)).map(([k]) => k));
  const todo = edited.filter((r) => !done.has(r.key));
  if (done.size > 0) process.stderr.write(`[judge] resuming: ${done.size} judged, ${todo.length} to go\n`);

  if (todo.length > 0) {
    const client = openaiClient(o.endpoint, { timeoutMs: o.timeoutMs });
    await checkReachable(client, o.endpoint.url);
    const bar = progressBar('imgedit judge', todo.length, { everyMs: o.progressEverySeconds * 1000 });
    try {
      await forEachConcurrent(todo, o.concurrency, async (r) => {
        try {
          await file.set(r.key, await judgeReply(client, o.endpoint.model, byType, r, o.images));
          bar.tick(false);
        } catch (e) {
          if (FATAL.some((c) => e instanceof c))
            throw new UserError(
              `the judge endpoint refused the request: ${(e as Error).message} (check --openai, --model and --api-key-env)`,
            );
          await file.set(r.key, { error: rootMessage(e) });
          bar.tick(true);
        }
      });
    } finally {
      bar.done();
    }
  }

  const results = await readResults(o.out);
  const report = await scoreResultFile(o.data, o.out, judge);
  return {
    total: edited.length,
    judged: todo.length,
    kept: done.size,
    errors: results.filter(([, v]) => !isReply(v)).map(([k]) => k),
    unparseable: results.filter(([, v]) => isUnparseable(v)).map(([k]) => k),
    withoutImage: records.length - edited.length,
    summary: o.run === undefined ? summaryOf(report) : await writeScoreReport(o.run, report),
  };
}
