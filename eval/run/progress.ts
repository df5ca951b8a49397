// A progress bar with rate and ETA on stderr: redrawn in place on a terminal, a line every few seconds otherwise.
export interface Progress {
  tick(failed: boolean): void;
  done(): void;
}

const clock = (s: number): string => {
  if (!Number.isFinite(s)) return '--:--';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const mm = String(Math.floor((t % 3600) / 60)).padStart(2, '0');
  const ss = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
};

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const start = Date.now();
  const tty = stream.isTTY === true;
  let n = 0;
  let errors = 0;
  let lastPrint = 0;
  const render = (): string => {
    const secs = (Date.now() - start) / 1000;
    const rate = n / Math.max(secs, 1e-3);
    const width = 24;
    const filled = total === 0 ? width : Math.round((n / total) * width);
    const pct = total === 0 ? 100 : Math.floor((n / total) * 100);
    return `[${label}] ${'#'.repeat(filled)}${'.'.repeat(width - filled)} ${n}/${total} ${pct}% ` +
      `${rate.toFixed(2)}/s elapsed ${clock(secs)} ETA ${clock(n === 0 ? Infinity : (total - n) / rate)} errors ${errors}`;
  };
  const print = (final: boolean): void => {
    const now = Date.now();
    if (tty) stream.write(`\r${render()}\x1b[K${final ? '\n' : ''}`);
    else if (final || now - lastPrint >= 5000) stream.write(`${render()}\n`);
    lastPrint = now;
  };
  if (tty) print(false);
  return {
    tick(failed) {
      n++;
      if (failed) errors++;
      print(false);
    },
    done: () => print(true),
  };
}
