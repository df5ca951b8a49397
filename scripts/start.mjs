// Entry point of `npm start`. The REST server (issue 6) and the default model package
// (models/lavida-r1-tiny, issue 4) do not exist yet; say so plainly instead of failing obscurely.
import { existsSync } from 'node:fs';

const missing = [
  ['server/main.ts', 'the REST server'],
  ['models/lavida-r1-tiny/manifest.json', 'the default model package lavida-r1-tiny'],
].filter(([path]) => !existsSync(new URL(`../${path}`, import.meta.url)));

if (missing.length > 0) {
  console.error('lavida-r1: nothing to serve yet. Missing:');
  for (const [path, what] of missing) console.error(`  - ${what} (${path})`);
  console.error('What exists today: the PyTorch model package under train/ (see train/README.md).');
  process.exit(1);
}
