// The import graph of server/ (the TypeScript compiler's own reading of every import and re-export, type-only
// ones included): no module imports itself through others, the HTTP layer (server/ outside server/engine/) reaches
// the engine through its public index only, and the engine imports nothing of the HTTP layer.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ROOT } from '../../server/config.js';

const SERVER = join(ROOT, 'server');
const ENGINE = 'server/engine/';
const ENGINE_INDEX = 'server/engine/index.ts';

const sourcesUnder = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? sourcesUnder(join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [join(dir, e.name)] : []);

/** The module a relative specifier names: `./x.js` is `./x.ts` where the sources are TypeScript. */
function resolveSpecifier(from: string, spec: string): string {
  const target = resolve(dirname(from), spec);
  const source = target.replace(/\.js$/, '.ts');
  return existsSync(source) ? source : target;
}

/** Per module (path from the repository root), the modules under server/ it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourcesUnder(SERVER)) {
    const specs = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
    const local = specs.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolveSpecifier(file, s)));
    graph.set(relative(ROOT, file), local.filter((m) => m.startsWith('server/')));
  }
  return graph;
}

/** Every cycle met by a depth-first walk, as the modules around it (at least one per strongly connected part). */
function cycles(graph: Map<string, string[]>): string[][] {
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

const graph = importGraph();
const engineImports = (pred: (m: string) => boolean): string[] => [...graph].flatMap(([m, deps]) =>
  pred(m) ? deps.filter((d) => d.startsWith(ENGINE) && d !== ENGINE_INDEX).map((d) => `${m} -> ${d}`) : []);

test('the import graph is read: the routes, the openai layer and the engine index are in it', () => {
  for (const m of ['server/app.ts', 'server/routes/vqa.ts', 'server/openai/conversation.ts', ENGINE_INDEX]) assert.ok(graph.has(m), m);
  assert.ok(graph.get('server/routes/vqa.ts')!.includes(ENGINE_INDEX));
});

test('no import cycles under server/', () => {
  assert.deepEqual(cycles(graph).map((c) => c.join(' -> ')), []);
});

test('server/routes/ and server/openai/ import the engine through its public index only', () => {
  assert.deepEqual(engineImports((m) => m.startsWith('server/routes/') || m.startsWith('server/openai/')), []);
});

test('the rest of the HTTP layer imports the engine through its public index only', () => {
  assert.deepEqual(engineImports((m) => !m.startsWith(ENGINE)), []);
});

test('the engine imports nothing of the HTTP layer', () => {
  const out = [...graph].flatMap(([m, deps]) => (m.startsWith(ENGINE) ? deps.filter((d) => !d.startsWith(ENGINE)).map((d) => `${m} -> ${d}`) : []));
  assert.deepEqual(out, []);
});
