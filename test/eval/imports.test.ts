// The import graph of eval/ (test/server/import-graph.ts): no module imports itself through others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cycles, importGraph } from '../server/import-graph.js';

const graph = importGraph('eval');

test('the import graph of eval/ is read: the CLI, the registry and a benchmark folder are in it', () => {
  for (const m of ['eval/cli.ts', 'eval/benchmarks/registry.ts', 'eval/benchmarks/mathvista/load.ts'])
    assert.ok(graph.has(m), m);
  assert.ok(graph.get('eval/benchmarks/registry.ts')!.includes('eval/benchmarks/mathvista/index.ts'));
});

test('no import cycles under eval/', () => {
  assert.deepEqual(
    cycles(graph).map((c) => c.join(' -> ')),
    [],
  );
});
