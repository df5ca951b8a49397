import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { Engine } from '../../server/engine/engine.js';
import { DeviceError, parseDevice } from '../../server/engine/ort/device.js';
import { MODEL_ID, MODELS_DIR, NO_PACKAGE } from './ort-reference.js';

const binding = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '../../bin/napi-v6', process.platform, process.arch);
const HAS_CUDA_EP = existsSync(join(binding, 'libonnxruntime_providers_cuda.so'));

describe('execution provider selection (LAVIDA_DEVICE)', () => {
  test('parses auto|cuda|cpu|webgpu, defaulting to auto', () => {
    assert.equal(parseDevice(undefined), 'auto');
    assert.equal(parseDevice(' CUDA '), 'cuda');
    assert.throws(() => parseDevice('tpu'), (e: unknown) => e instanceof DeviceError && e.code === 'invalid_device');
  });

  const noCuda = NO_PACKAGE || (HAS_CUDA_EP ? 'the CUDA provider is installed here' : false);
  const load = (device: 'auto' | 'cuda', log: (l: string) => void) =>
    Engine.load({ modelsDir: MODELS_DIR!, modelId: MODEL_ID!, device, workers: 1, intraOpNumThreads: 1, verifyChecksums: false, log });

  test('auto without the CUDA provider falls back to the CPU and says why (status and log)', { skip: noCuda }, async () => {
    const lines: string[] = [];
    const engine = await load('auto', (l) => lines.push(l));
    try {
      assert.equal(engine.status.provider, 'cpu');
      assert.match(engine.status.fallbackReason ?? '', /cuda provider unavailable: .*Failed to load shared library/);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /LAVIDA_DEVICE=auto: running on cpu \(cuda provider unavailable/);
    } finally {
      await engine.close();
    }
  });

  test('an explicit cuda without the provider fails at start with a clear error', { skip: noCuda }, async () => {
    await assert.rejects(load('cuda', () => undefined), (e: unknown) =>
      e instanceof DeviceError && e.code === 'provider_unavailable' && /LAVIDA_DEVICE=cuda: cuda provider unavailable/.test(e.message));
  });
});
