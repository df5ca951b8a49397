// Why the server could not start, in a line that says what to change: the listening address (in use, not
// permitted, not on this machine) or else the model package.
import type { ServerConfig } from './config.js';

export function startFailure(e: unknown, c: ServerConfig): string {
  const err = e as NodeJS.ErrnoException;
  const address = `${c.host ?? 'every interface'}, port ${c.port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${address}: the port is already in use (another server?); set PORT or LAVIDA_PORT to a free port`;
    case 'EACCES':
      return `cannot listen on ${address}: permission denied (ports below 1024 need privileges); set PORT or LAVIDA_PORT to another port`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${address}: the address is not on this machine; set LAVIDA_HOST to one of its addresses`;
    default:
      return `cannot serve ${c.modelId} from ${c.modelsDir}: ${err.message} (set LAVIDA_MODELS_DIR and LAVIDA_MODEL to serve another package)`;
  }
}
