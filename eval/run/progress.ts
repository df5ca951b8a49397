// Progress with rate and ETA on stderr: on a terminal one line redrawn in place (on every sample and every
// second); otherwise (a log, CI) a first line, a line every `everyMs`, and a last line.
export interface Progress {
  tick(failed: boolean): void;
  done(): void;
}

export interface ProgressOptions {
  stream?: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;
  /** Interval between lines when the stream is not a terminal. */
  everyMs?: number;
}

const TTY_REDRAW_MS = 1000;

const clock = (s: number): string => {
  if (!Number.isFinite(s)) return '--:--';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const mm = String(Math.floor((t % 3600) / 60)).padStart(2, '0');
  const ss = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
};

export function progressBar(
  label: string,
  total: number,
  { stream = process.stderr, everyMs = 10_000 }: ProgressOptions = {},
): Progress {
  const start = Date.now();
  const tty = stream.isTTY === true;
  let n = 0;
  let errors = 0;
  const render = (): string => {
    const secs = (Date.now() - start) / 1000;
    const rate = n / Math.max(secs, 1e-3);
    const width = 24;
    const filled = total === 0 ? width : Math.round((n / total) * width);
    const pct = total === 0 ? 100 : Math.floor((n / total) * 100);
    return (
      `[${label}] ${'#'.repeat(filled)}${'.'.repeat(width - filled)} ${n}/${total} ${pct}% ` +
      `${rate.toFixed(2)}/s elapsed ${clock(secs)} ETA ${clock(n === 0 ? Infinity : (total - n) / rate)} errors ${errors}`
    );
  };
  const draw = (): void => void stream.write(tty ? `\r${render()}\x1b[K` : `${render()}\n`);
  draw();
  const timer = setInterval(draw, tty ? TTY_REDRAW_MS : everyMs);
  timer.unref();
  return {
    tick(failed) {
      n++;
      if (failed) errors++;
      if (tty) draw();
    },
    done() {
      clearInterval(timer);
      stream.write(tty ? `\r${render()}\x1b[K\n` : `${render()}\n`);
    },
  };
}
