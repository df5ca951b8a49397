// The text sampler's `decodeTokens` (chat completions' max_tokens) and the committed confidences (logprobs), on
// the fake denoiser: decoding only the first blocks gives exactly the full decoding's tokens there, in fewer
// passes, and each decided token keeps the confidence it was committed with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateText, type TextSamplerOptions } from '../../server/engine/sampling/text.js';
import type { Candidates, Denoise } from '../../server/engine/sampling/types.js';
import { fakeDenoiser } from './fake-denoiser.js';

const IDS = { maskId: 99, eosId: 98, eotId: 97 };
const VOCAB = [1, 2, 3, 4, 5, 6, 7, 8]; // no stop token: every block is decoded unless decodeTokens says otherwise
const L = 48;
const BLOCK = 16;

/** The fake denoiser, recording every pass's candidates. */
function recorded(salt: number): { denoise: Denoise; passes: Candidates[] } {
  const inner = fakeDenoiser(salt, L, VOCAB);
  const passes: Candidates[] = [];
  return {
    passes,
    denoise: (canvas, step, block) => {
      const out = inner(canvas, step, block) as Candidates;
      passes.push(out);
      return out;
    },
  };
}

for (const threshold of [null, 0.5]) {
  test(`decodeTokens decodes only the blocks it covers, as the full decoding does (threshold ${threshold})`, async () => {
    const o: TextSamplerOptions = { genLength: L, blockLength: BLOCK, steps: L, threshold };
    const full = await generateText(recorded(3).denoise, IDS, o, 2);
    for (const decodeTokens of [1, 16, 17, 40, 48]) {
      const part = await generateText(recorded(3).denoise, IDS, { ...o, decodeTokens }, 2);
      const decided = Math.ceil(decodeTokens / BLOCK) * BLOCK;
      for (let r = 0; r < 2; r++) {
        const row = (a: Int32Array) => Array.from(a.subarray(r * L, (r + 1) * L));
        assert.deepEqual(
          row(part.tokens).slice(0, decided),
          row(full.tokens).slice(0, decided),
          `row ${r}, ${decodeTokens}`,
        );
        assert.ok(
          row(part.tokens)
            .slice(decided)
            .every((t) => t === IDS.maskId),
          'later blocks stay masked',
        );
      }
      if (decided < L) assert.ok(part.nfe < full.nfe && part.nfe > 0, `${part.nfe} passes vs ${full.nfe}`);
      else assert.equal(part.nfe, full.nfe);
    }
  });
}

test('each decided token keeps the confidence of the pass that committed it', async () => {
  const { denoise, passes } = recorded(5);
  const out = await generateText(denoise, IDS, { genLength: L, blockLength: BLOCK, steps: 24 }, 2);
  for (let i = 0; i < 2 * L; i++) {
    const step = out.unmaskStep[i]!;
    assert.ok(step >= 0);
    assert.equal(out.confidence[i], passes[step]!.confidence[i], `position ${i}`);
  }
  await assert.rejects(
    generateText(denoise, IDS, { genLength: L, blockLength: BLOCK, steps: 24, decodeTokens: 0 }),
    /decodeTokens/,
  );
});
