// The bench's roofline figure: the hand-written ONNX MatMul model runs on onnxruntime-node and gives A · B, and
// the FLOP count of a backbone call follows its formula (scripts/roofline.ts) term by term.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { matmulModel } from '../../scripts/onnx-matmul.js';
import { callFlops, type BackboneDims } from '../../scripts/roofline.js';

test('matmulModel: Y = A · B on onnxruntime-node, B the constant given', async () => {
  const [m, k, n] = [3, 4, 5];
  const b = Float32Array.from({ length: k * n }, (_, i) => i * 0.5 - 3);
  const a = Float32Array.from({ length: m * k }, (_, i) => (i % 7) - 2);
  const session = await ort.InferenceSession.create(matmulModel(m, k, n, b));
  try {
    const y = (await session.run({ A: new ort.Tensor('float32', a, [m, k]) })).Y!;
    assert.deepEqual(y.dims, [m, n]);
    const want = Array.from({ length: m * n }, (_, at) => {
      const [i, j] = [Math.floor(at / n), at % n];
      let sum = 0;
      for (let t = 0; t < k; t++) sum += a[i * k + t]! * b[t * n + j]!;
      return sum;
    });
    assert.deepEqual(Array.from(y.data as Float32Array), want); // small integers and halves: exact in float32
  } finally {
    await session.release();
  }
  assert.throws(() => matmulModel(2, 2, 2, new Float32Array(3)), /B holds 3 values, not 2 x 2/);
});

test('callFlops: projections, SwiGLU, attention over past and new keys, the head, the generation branch', () => {
  const c: BackboneDims = {
    d_model: 8,
    n_layers: 2,
    n_heads: 2,
    n_kv_heads: 1,
    mlp_hidden_size: 12,
    d_model_gen: 4,
    mlp_hidden_size_gen: 6,
    embedding_size: 10,
  };
  const hd = 4; // q = 8, kv = 4
  const text = 8 * 8 + 2 * 8 * 4 + 8 * 8 + 3 * 8 * 12; // 480 multiply-adds per token and layer
  const gen = 4 * 8 + 2 * 4 * 4 + 3 * 4 * 6; // 136
  // prefill of 5 tokens: no past, no logits
  assert.equal(callFlops(c, hd, 'backbone_text', { tokens: 5, past: 0, logits: 0 }), 2 * 2 * 5 * (text + 2 * 8 * 5));
  // a 3-token pass against 7 cached keys, logits at 3 positions
  assert.equal(
    callFlops(c, hd, 'backbone_text', { tokens: 3, past: 7, logits: 3 }),
    2 * 2 * 3 * (text + 2 * 8 * 10) + 2 * 3 * 8 * 10,
  );
  assert.equal(
    callFlops(c, hd, 'backbone', { tokens: 3, past: 7, logits: 3 }) -
      callFlops(c, hd, 'backbone_text', { tokens: 3, past: 7, logits: 3 }),
    2 * 2 * 3 * gen,
  );
});
