// Execution providers from LAVIDA_DEVICE. onnxruntime-node throws at session creation when a provider's
// library is missing (no silent fallback), so `auto` catches that and retries on the CPU.

export type DeviceSetting = 'auto' | 'cuda' | 'cpu' | 'webgpu';
export type Provider = 'cuda' | 'cpu' | 'webgpu';

const SETTINGS: readonly DeviceSetting[] = ['auto', 'cuda', 'cpu', 'webgpu'];

export class DeviceError extends Error {
  override readonly name = 'DeviceError';

  constructor(readonly code: 'invalid_device' | 'provider_unavailable', message: string) {
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
      return [{ provider: 'cuda', executionProviders: ['cuda', 'cpu'] }, { provider: 'cpu', executionProviders: ['cpu'] }];
    case 'cuda':
      return [{ provider: 'cuda', executionProviders: ['cuda', 'cpu'] }];
    case 'webgpu':
      return [{ provider: 'webgpu', executionProviders: ['webgpu', 'cpu'] }];
    case 'cpu':
      return [{ provider: 'cpu', executionProviders: ['cpu'] }];
  }
}

/** The first line of an ORT error (they carry long native traces). */
export const firstLine = (e: unknown): string => String((e as Error)?.message ?? e).split('\n')[0]!.trim();
