// How many ONNX Runtime workers to start when the settings do not say: on the CPU, one per core the process may
// use (os.availableParallelism()), each session on one intra-op thread, so concurrent requests run on every core
// (a worker runs one graph call at a time); on a GPU, one (the device serialises the work; a second worker would
// hold a second copy of the model in device memory).
import { availableParallelism } from 'node:os';
import { missingProviderLibrary, type DeviceSetting } from './device.js';

export function defaultWorkerCount(device: DeviceSetting, cores = availableParallelism()): number {
  const cpuOnly = device === 'cpu' || (device === 'auto' && missingProviderLibrary('cuda') !== null);
  return cpuOnly ? Math.max(1, cores) : 1;
}
