// Execution providers from LAVIDA_DEVICE. onnxruntime-node throws at session creation when a provider's
// library is missing (no silent fallback), so `auto` catches that and retries on the CPU. The CUDA provider's
// library is looked for first: without it ORT would also print a native error line to stderr, outside our logs.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type DeviceSetting = 'auto' | 'cuda' | 'cpu' | 'webgpu';
export type Provider = 'cuda' | 'cpu' | 'webgpu';

const SETTINGS: readonly DeviceSetting[] = ['auto', 'cuda', 'cpu', 'webgpu'];

export class DeviceError extends Error {
  override readonly name = 'DeviceError';

  constructor(
    readonly code: 'invalid_device' | 'provider_unavailable',
    message: string,
  ) {
    super(message);
  }
}

export function parseDevice(value: string | undefined): DeviceSetting {
  const v = (value ?? 'auto').trim().toLowerCase() || 'auto';
  if (!(SETTINGS as readonly string[]).includes(v)) {
    throw new DeviceError('invalid_device', `LAVIDA_DEVICE=${value} is not one of ${SETTINGS.join(', ')}`);
  }
  return v as DeviceSetting;
}

/** The provider lists to try in order; nodes a GPU provider cannot run go to the CPU provider listed after it. */
export function attempts(device: DeviceSetting): Array<{ provider: Provider; executionProviders: string[] }> {
  switch (device) {
    case 'auto':
      return [
        { provider: 'cuda', executionProviders: ['cuda', 'cpu'] },
        { provider: 'cpu', executionProviders: ['cpu'] },
      ];
    case 'cuda':
      return [{ provider: 'cuda', executionProviders: ['cuda', 'cpu'] }];
    case 'webgpu':
      return [{ provider: 'webgpu', executionProviders: ['webgpu', 'cpu'] }];
    case 'cpu':
      return [{ provider: 'cpu', executionProviders: ['cpu'] }];
  }
}

/** The first line of an ORT error (they carry long native traces). */
export const firstLine = (e: unknown): string =>
  String((e as Error)?.message ?? e)
    .split('\n')[0]!
    .trim();

/** Where onnxruntime-node keeps its native binding; scripts/install-cuda-ep puts the CUDA provider there. */
export function bindingDir(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(entry), '../../bin/napi-v6', process.platform, process.arch);
}

const CUDA_LIBRARY =
  process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';

/** Why the CUDA provider cannot load here without trying it, or null when its library is in place. */
export function missingProviderLibrary(provider: Provider, dir = bindingDir()): string | null {
  if (provider !== 'cuda' || existsSync(join(dir, CUDA_LIBRARY))) return null;
  return `${CUDA_LIBRARY} is not installed beside onnxruntime-node's binding (scripts/install-cuda-ep installs it)`;
}
