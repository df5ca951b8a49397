// lavida-eval command line: `run` (server → predictions → scores), `score` (offline), `judge` (ImgEdit edits → a
// vision-LLM judge), `report` (runs → tables, charts).
import { UserError } from './errors.js';
import { judgeCommand } from './judge/command.js';
import { reportCommand } from './report/command.js';
import { runCommand } from './run/command.js';
import { scoreCommand } from './score.js';

const USAGE = `usage: lavida-eval run|score|judge|report [options]   (lavida-eval COMMAND --help: its options)
  run     runs a benchmark through the LaViDa-R1 server (or an embedded one, or an OpenAI-compatible endpoint), then scores it
  score   scores a predictions file offline by the benchmark's official rules
  judge   judges ImgEdit edits with a vision LLM (any OpenAI-compatible endpoint) by the official protocol, then scores them
  report  compares run folders: tables with confidence intervals, charts, a sample viewer`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    const commands: Record<string, (args: string[]) => Promise<number>> = {
      run: runCommand,
      score: scoreCommand,
      judge: judgeCommand,
      report: reportCommand,
    };
    const command = cmd !== undefined && Object.hasOwn(commands, cmd) ? commands[cmd] : undefined;
    if (command) return await command(rest);
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return cmd === undefined ? 2 : 0;
    }
    throw new UserError(`unknown command "${cmd}"\n${USAGE}`);
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`lavida-eval: error: ${e.message}\n`);
      return 1;
    }
    // a bug rather than bad input: still no stack trace unless asked for
    process.stderr.write(`lavida-eval: internal error: ${(e as Error).message}\n`);
    if (process.env.LAVIDA_EVAL_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 70;
  }
}

process.exitCode = await main(process.argv.slice(2));
