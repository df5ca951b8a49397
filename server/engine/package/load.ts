// Loading a model package (models/README.md "Loading a package"): resolve the id inside the models folder,
// validate manifest.json against the JSON Schema, check the size and sha256 of every listed file.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import type { Manifest } from './manifest.js';
import { PackageError } from './package-error.js';

export const DEFAULT_SCHEMA = fileURLToPath(new URL('../../../models/manifest.schema.json', import.meta.url));
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface LoadedPackage {
  id: string;
  dir: string; // real path
  manifest: Manifest;
}

export interface LoadOptions {
  schemaPath?: string;
  verifyChecksums?: boolean; // default true; sizes are always checked
}

/** The real path of models/<id>; refuses ids that are not a plain folder name and anything (e.g. a symlink)
 *  resolving outside the models folder. */
export function resolvePackageDir(modelsDir: string, id: string): string {
  if (!MODEL_ID.test(id) || id.includes('..'))
    throw new PackageError('invalid_id', `invalid model id ${JSON.stringify(id)}`);
  let root: string;
  let dir: string;
  try {
    root = realpathSync(modelsDir);
    dir = realpathSync(join(root, id));
  } catch {
    throw new PackageError('not_found', `no model package ${JSON.stringify(id)} in ${modelsDir}`);
  }
  if (!isInside(root, dir))
    throw new PackageError('outside_models', `model ${JSON.stringify(id)} resolves outside ${modelsDir}`);
  return dir;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

const validators = new Map<string, ValidateFunction>();

function validator(schemaPath: string): ValidateFunction {
  let v = validators.get(schemaPath);
  if (!v) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    v = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    validators.set(schemaPath, v);
  }
  return v;
}

export function validateManifest(json: unknown, schemaPath = DEFAULT_SCHEMA): Manifest {
  const validate = validator(schemaPath);
  if (!validate(json)) {
    const problems = (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
    throw new PackageError(
      'invalid_manifest',
      `manifest.json does not match the package schema: ${problems.join('; ')}`,
    );
  }
  return json as Manifest;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every `files` entry exists inside the package with its size (and sha256), and every graph file is listed. */
export async function verifyFiles(dir: string, manifest: Manifest, checksums = true): Promise<void> {
  for (const [name, graph] of Object.entries(manifest.graphs)) {
    for (const file of [graph.file, graph.external_data].filter((f): f is string => f !== undefined)) {
      if (!manifest.files[file])
        throw new PackageError('unlisted_file', `package ${dir}: graph ${name}'s file ${file} has no entry in files`);
    }
  }
  for (const [file, expected] of Object.entries(manifest.files)) {
    const path = join(dir, file);
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      throw new PackageError('not_found', `package ${dir}: ${file} is missing`);
    }
    if (!isInside(dir, real))
      throw new PackageError('outside_models', `package ${dir}: ${file} resolves outside the package`);
    const bytes = statSync(real).size;
    if (bytes !== expected.bytes) {
      throw new PackageError(
        'size_mismatch',
        `package ${dir}: ${file} has ${bytes} bytes, manifest ${expected.bytes}: the file is truncated or was modified`,
      );
    }
    if (!checksums) continue;
    const actual = await sha256(real);
    if (actual !== expected.sha256) {
      throw new PackageError(
        'checksum_mismatch',
        `package ${dir}: ${file} fails its checksum (sha256 ${actual}, manifest ${expected.sha256}): the file is corrupt or was modified`,
      );
    }
  }
}

export async function loadPackage(modelsDir: string, id: string, opts: LoadOptions = {}): Promise<LoadedPackage> {
  const dir = resolvePackageDir(modelsDir, id);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new PackageError(
      missing ? 'not_found' : 'invalid_manifest',
      `package ${dir}: manifest.json ${missing ? 'is missing' : `is not JSON (${(e as Error).message})`}`,
    );
  }
  const manifest = validateManifest(json, opts.schemaPath);
  await verifyFiles(dir, manifest, opts.verifyChecksums ?? true);
  return { id, dir, manifest };
}
