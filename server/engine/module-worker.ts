// A worker thread running a module of the engine, from compiled JavaScript or, under tsx, from the TypeScript
// sources (Node 20 does not pass `--import` loader hooks on to worker threads, so the thread registers tsx itself).
import { Worker } from 'node:worker_threads';

/** The thread for `name` (e.g. './ort/worker'), resolved against `from` (the caller's import.meta.url). */
export function moduleWorker(from: string, name: string): Worker {
  const fromSource = from.endsWith('.ts');
  const url = new URL(`${name}${fromSource ? '.ts' : '.js'}`, from);
  if (!fromSource) return new Worker(url);
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true });
}
