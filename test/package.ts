// The model package the TypeScript tests run: $LAVIDA_TEST_PACKAGE when set, else the committed
// models/lavida-r1-tiny. `NO_PACKAGE` is a skip reason when that folder holds no package, or false.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export const PACKAGE_DIR = process.env.LAVIDA_TEST_PACKAGE ?? join(ROOT, 'models', 'lavida-r1-tiny');
export const MODELS_DIR = dirname(PACKAGE_DIR);
export const MODEL_ID = basename(PACKAGE_DIR);
export const NO_PACKAGE: string | false = existsSync(join(PACKAGE_DIR, 'manifest.json'))
  ? false
  : `no model package in ${PACKAGE_DIR} (export one: see models/README.md)`;
