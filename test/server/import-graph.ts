// The import graph of a source folder, as the TypeScript compiler reads every import and re-export (type-only ones
// included), and the cycles in it. Used by test/server/imports.test.ts and test/eval/imports.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../../server/config.js';

const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourcesUnder(join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [join(dir, e.name)] : [],
  );

/** The module a relative specifier names: `./x.js` is `./x.ts` where the sources are TypeScript. */
function resolveSpecifier(from: string, spec: string): string {
  const target = resolve(dirname(from), spec);
  const source = target.replace(/\.js$/, '.ts');
  return existsSync(source) ? source : target;
}

/** Per module under `folder` (paths from the repository root, e.g. `server/app.ts`), the modules under it it imports. */
export function importGraph(folder: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourcesUnder(join(ROOT, folder))) {
    const specs = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
    const local = specs.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolveSpecifier(file, s)));
    graph.set(
      relative(ROOT, file),
      local.filter((m) => m.startsWith(`${folder}/`)),
    );
  }
  return graph;
}

/** Every cycle met by a depth-first walk, as the modules around it (at least one per strongly connected part). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (m: string): void => {
    const at = path.indexOf(m);
    if (at >= 0) return void found.push([...path.slice(at), m]);
    if (done.has(m)) return;
    path.push(m);
    for (const next of graph.get(m) ?? []) visit(next);
    path.pop();
    done.add(m);
  };
  for (const m of [...graph.keys()].sort()) visit(m);
  return found;
}
