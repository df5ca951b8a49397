import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadPackage, resolvePackageDir } from '../../server/engine/package/load.js';
import { PackageError } from '../../server/engine/package/package-error.js';
import { NO_PACKAGE, PACKAGE_DIR } from './ort-reference.js';

const rejectsWith = (p: Promise<unknown>, code: PackageError['code'], pattern?: RegExp) =>
  assert.rejects(
    p,
    (e: unknown) => e instanceof PackageError && e.code === code && (!pattern || pattern.test(e.message)),
  );

describe('model package loading', { skip: NO_PACKAGE }, () => {
  let root: string; // a models folder holding copies of the package
  const models = (): string => join(root, 'models');
  const copy = (id: string): string => {
    const dir = join(models(), id);
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(PACKAGE_DIR!)) copyFileSync(join(PACKAGE_DIR!, f), join(dir, f));
    return dir;
  };
  const editManifest = (dir: string, edit: (m: any) => void): void => {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    edit(m);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'lavida-pkg-'));
    copy('good');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('a verified package loads with its manifest', async () => {
    const pkg = await loadPackage(models(), 'good');
    assert.equal(pkg.manifest.format, 'lavida-onnx-package');
    assert.ok(pkg.manifest.graphs.backbone.inputs.some((i) => i.name === 'input_ids'));
  });

  test('the answer canvases per task: read from the manifest, optional, checked by the schema', async () => {
    const written = JSON.parse(readFileSync(join(PACKAGE_DIR!, 'manifest.json'), 'utf8')).layout.sampling.canvases;
    assert.deepEqual((await loadPackage(models(), 'good')).manifest.layout.sampling.canvases, written);
    assert.deepEqual(Object.keys(written).sort(), ['chart', 'math', 'mcq']);
    editManifest(copy('no-canvases'), (m) => delete m.layout.sampling.canvases);
    assert.equal((await loadPackage(models(), 'no-canvases')).manifest.layout.sampling.canvases, undefined);
    editManifest(copy('bad-canvases'), (m) => {
      m.layout.sampling.canvases = { math: 0, chart: 80, mcq: 48 };
    });
    await rejectsWith(loadPackage(models(), 'bad-canvases'), 'invalid_manifest', /canvases\/math/);
  });

  test('ids that are not plain folder names, or resolve outside the models folder, are refused', async () => {
    for (const id of ['..', '../good', 'a/b', '/etc', '.hidden', 'good/..', '', 'x'.repeat(200)]) {
      assert.throws(
        () => resolvePackageDir(models(), id),
        (e: unknown) => e instanceof PackageError && e.code === 'invalid_id',
        id,
      );
    }
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), join(models(), 'escape'));
    assert.throws(
      () => resolvePackageDir(models(), 'escape'),
      (e: unknown) => e instanceof PackageError && e.code === 'outside_models',
    );
    await rejectsWith(loadPackage(models(), 'missing'), 'not_found');
  });

  test('a modified file fails its checksum; a truncated one its size; a missing one is named', async () => {
    const dir = copy('tampered');
    const tok = readFileSync(join(dir, 'tokenizer.json'));
    tok[10] = tok[10]! ^ 1;
    writeFileSync(join(dir, 'tokenizer.json'), tok);
    await rejectsWith(loadPackage(models(), 'tampered'), 'checksum_mismatch', /tokenizer\.json fails its checksum/);
    writeFileSync(join(dir, 'tokenizer.json'), tok.subarray(1));
    await rejectsWith(loadPackage(models(), 'tampered'), 'size_mismatch', /tokenizer\.json has/);
    rmSync(join(dir, 'tokenizer.json'));
    await rejectsWith(loadPackage(models(), 'tampered'), 'not_found', /tokenizer\.json is missing/);
  });

  test('a listed file may not escape the package through a symlink', async () => {
    const dir = copy('linked');
    writeFileSync(join(root, 'outside.json'), readFileSync(join(dir, 'tokenizer.json')));
    rmSync(join(dir, 'tokenizer.json'));
    symlinkSync(join(root, 'outside.json'), join(dir, 'tokenizer.json'));
    await rejectsWith(loadPackage(models(), 'linked'), 'outside_models');
  });

  test('schema violations, non-JSON manifests and unlisted graph files are refused', async () => {
    const dir = copy('bad');
    editManifest(dir, (m) => {
      m.format_version = 2;
    });
    await rejectsWith(loadPackage(models(), 'bad'), 'invalid_manifest', /format_version/);
    copy('bad');
    editManifest(dir, (m) => {
      m.files['../escape.onnx'] = m.files['vision.onnx'];
    });
    await rejectsWith(loadPackage(models(), 'bad'), 'invalid_manifest', /files/);
    copy('bad');
    editManifest(dir, (m) => {
      delete m.files['vq_decode.onnx'];
    });
    await rejectsWith(loadPackage(models(), 'bad'), 'unlisted_file', /vq_decode\.onnx/);
    writeFileSync(join(dir, 'manifest.json'), '{not json');
    await rejectsWith(loadPackage(models(), 'bad'), 'invalid_manifest', /not JSON/);
  });
});
