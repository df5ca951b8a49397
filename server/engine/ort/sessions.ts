// Creates one ORT session per graph of a package (inside a worker), choosing the execution provider.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { GraphName } from '../package/manifest.js';
import { attempts, DeviceError, firstLine, missingProviderLibrary, type Provider } from './device.js';
import type { SessionSettings } from './protocol.js';

export interface Sessions {
  sessions: Partial<Record<GraphName, ort.InferenceSession>>;
  provider: Provider;
  fallbackReason: string | null;
}

export async function createSessions(s: SessionSettings): Promise<Sessions> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: s.graphOptimizationLevel,
    intraOpNumThreads: s.intraOpNumThreads,
    interOpNumThreads: s.interOpNumThreads,
    enableCpuMemArena: s.enableCpuMemArena,
    enableMemPattern: true,
    executionMode: 'sequential',
    logSeverityLevel: 3, // errors only: a missing provider is reported by us, once
  };
  const failures: string[] = [];
  for (const attempt of attempts(s.device)) {
    const missing = missingProviderLibrary(attempt.provider);
    if (missing) {
      failures.push(`${attempt.provider} provider unavailable: ${missing}`);
      continue;
    }
    const sessions: Sessions['sessions'] = {};
    try {
      for (const [graph, file] of Object.entries(s.graphs) as Array<[GraphName, string]>) {
        // by path, so external data is found beside the graph
        sessions[graph] = await ort.InferenceSession.create(join(s.dir, file), {
          ...base,
          executionProviders: attempt.executionProviders,
        });
      }
      const fallbackReason = failures.length ? failures.join('; ') : null;
      return { sessions, provider: attempt.provider, fallbackReason };
    } catch (e) {
      await Promise.all(Object.values(sessions).map((x) => x.release()));
      failures.push(`${attempt.provider} provider unavailable: ${firstLine(e)}`);
    }
  }
  throw new DeviceError('provider_unavailable', `LAVIDA_DEVICE=${s.device}: ${failures.join('; ')}`);
}
