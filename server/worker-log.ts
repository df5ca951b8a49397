// The worker pool's events as JSON log lines: a crash or a failed replacement at error level (with the reason
// and what happens next), a replacement at info.
import type { Logger } from 'pino';
import type { PoolEvent } from './engine/index.js';

export function logWorkerEvent(logger: Logger): (e: PoolEvent) => void {
  return (e) => {
    if (e.event === 'worker_restarted') return logger.info(e, 'ONNX Runtime worker restarted');
    const what =
      e.event === 'worker_crashed' ? 'ONNX Runtime worker crashed' : 'ONNX Runtime worker replacement failed';
    logger.error(e, e.restartInMs === null ? `${what}; not restarting (restart limit reached)` : `${what}; restarting`);
  };
}
