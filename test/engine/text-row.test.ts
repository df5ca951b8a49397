// TextRow (one canvas decoded pass by pass, for continuous batching) against generateText on the fake denoiser:
// the same tokens, unmask steps, confidences and passes as the row decoded alone, over schedules, thresholds,
// EOS stops and decodeTokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateText, type TextSamplerOptions } from '../../server/engine/sampling/text.js';
import { TextRow } from '../../server/engine/sampling/text-row.js';
import type { Candidates } from '../../server/engine/sampling/types.js';
import { fakeDenoiser } from './fake-denoiser.js';

const IDS = { maskId: 99, eosId: 98, eotId: 97 };
const VOCAB = [1, 2, 3, 4, 5, 6, 7, 8, 98, 97];

const configs: TextSamplerOptions[] = [];
for (const threshold of [null, 0.5, 0.9]) {
  for (const [genLength, blockLength, steps] of [
    [48, 16, 48],
    [48, 16, 24],
    [32, 32, 8],
    [64, 16, 32],
  ] as const) {
    for (const stopAtEos of [true, false]) {
      configs.push({
        genLength,
        blockLength,
        steps,
        threshold,
        stopAtEos,
        schedule: steps % 3 ? 'uniform' : 'shift',
        eosConfidenceInf: genLength === 64,
      });
    }
  }
}
configs.push({ genLength: 48, blockLength: 16, steps: 48, decodeTokens: 17 });

test('TextRow decodes a row exactly as generateText does for a batch of one', async () => {
  for (const [k, o] of configs.entries()) {
    for (const salt of [1, 2, 3]) {
      const denoise = fakeDenoiser(salt + 10 * k, o.genLength, VOCAB);
      const alone = await generateText(denoise, IDS, o, 1);
      const row = new TextRow(IDS, o);
      for (let pass = row.next(); pass; pass = row.next())
        row.commit((await denoise(row.canvas, row.nfe, pass)) as Candidates, 0);
      const r = row.result();
      const what = `${JSON.stringify(o)} salt ${salt}`;
      assert.deepEqual([...r.tokens], [...alone.tokens], what);
      assert.deepEqual([...r.unmaskStep], [...alone.unmaskStep], what);
      assert.deepEqual([...r.confidence], [...alone.confidence], what);
      assert.equal(r.nfe, alone.nfe, what);
    }
  }
});
