// The import graph of server/ (the TypeScript compiler's own reading of every import and re-export, type-only
// ones included): no module imports itself through others, the HTTP layer (server/ outside server/engine/) reaches
// the engine through its public index only, and the engine imports nothing of the HTTP layer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cycles, importGraph } from './import-graph.js';

const ENGINE = 'server/engine/';
const ENGINE_INDEX = 'server/engine/index.ts';

const graph = importGraph('server');
const engineImports = (pred: (m: string) => boolean): string[] =>
  [...graph].flatMap(([m, deps]) =>
    pred(m) ? deps.filter((d) => d.startsWith(ENGINE) && d !== ENGINE_INDEX).map((d) => `${m} -> ${d}`) : [],
  );

test('the import graph is read: the routes, the openai layer and the engine index are in it', () => {
  for (const m of ['server/app.ts', 'server/routes/vqa.ts', 'server/openai/conversation.ts', ENGINE_INDEX])
    assert.ok(graph.has(m), m);
  assert.ok(graph.get('server/routes/vqa.ts')!.includes(ENGINE_INDEX));
});

test('no import cycles under server/', () => {
  assert.deepEqual(
    cycles(graph).map((c) => c.join(' -> ')),
    [],
  );
});

test('server/routes/ and server/openai/ import the engine through its public index only', () => {
  assert.deepEqual(
    engineImports((m) => m.startsWith('server/routes/') || m.startsWith('server/openai/')),
    [],
  );
});

test('the rest of the HTTP layer imports the engine through its public index only', () => {
  assert.deepEqual(
    engineImports((m) => !m.startsWith(ENGINE)),
    [],
  );
});

test('the engine imports nothing of the HTTP layer', () => {
  const out = [...graph].flatMap(([m, deps]) =>
    m.startsWith(ENGINE) ? deps.filter((d) => !d.startsWith(ENGINE)).map((d) => `${m} -> ${d}`) : [],
  );
  assert.deepEqual(out, []);
});
