import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Engine } from '../../server/engine/engine.js';
import { DeviceError, missingProviderLibrary, parseDevice } from '../../server/engine/ort/device.js';
import { MODEL_ID, MODELS_DIR, NO_PACKAGE } from './ort-reference.js';

const HAS_CUDA_EP = missingProviderLibrary('cuda') === null;

describe('execution provider selection (LAVIDA_DEVICE)', () => {
  test('parses auto|cuda|cpu|webgpu, defaulting to auto', () => {
    assert.equal(parseDevice(undefined), 'auto');
    assert.equal(parseDevice(' CUDA '), 'cuda');
    assert.throws(
      () => parseDevice('tpu'),
      (e: unknown) => e instanceof DeviceError && e.code === 'invalid_device',
    );
  });

  test('the CUDA provider library is looked for beside the binding before ORT is asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lavida-binding-'));
    assert.match(
      missingProviderLibrary('cuda', dir) ?? '',
      /libonnxruntime_providers_cuda\.so is not installed .*install-cuda-ep/,
    );
    assert.equal(missingProviderLibrary('cpu', dir), null);
    writeFileSync(join(dir, 'libonnxruntime_providers_cuda.so'), '');
    assert.equal(missingProviderLibrary('cuda', dir), null);
  });

  const noCuda = NO_PACKAGE || (HAS_CUDA_EP ? 'the CUDA provider is installed here' : false);
  const load = (device: 'auto' | 'cuda', log: (l: string) => void) =>
    Engine.load({
      modelsDir: MODELS_DIR!,
      modelId: MODEL_ID!,
      device,
      workers: 1,
      intraOpNumThreads: 1,
      verifyChecksums: false,
      log,
    });

  test('auto without the CUDA provider falls back to the CPU and says why (status and log)', {
    skip: noCuda,
  }, async () => {
    const lines: string[] = [];
    const engine = await load('auto', (l) => lines.push(l));
    try {
      assert.equal(engine.status.provider, 'cpu');
      assert.match(
        engine.status.fallbackReason ?? '',
        /cuda provider unavailable: libonnxruntime_providers_cuda\.so is not installed/,
      );
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /LAVIDA_DEVICE=auto: running on cpu \(cuda provider unavailable/);
    } finally {
      await engine.close();
    }
  });

  test('an explicit cuda without the provider fails at start with a clear error', { skip: noCuda }, async () => {
    await assert.rejects(
      load('cuda', () => undefined),
      (e: unknown) =>
        e instanceof DeviceError &&
        e.code === 'provider_unavailable' &&
        /LAVIDA_DEVICE=cuda: cuda provider unavailable/.test(e.message),
    );
  });
});
