// Test helpers: temp folders and files in the real release formats (parquet with image structs, PNG bytes).
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { greyPng } from '../png.js';

/** A fresh temp folder removed after the test file finishes. */
export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lavida-eval-'));
  after(() => rm(d, { recursive: true, force: true }));
  return d;
}

export async function put(path: string, data: string | Uint8Array): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
  return path;
}

/** A valid grey PNG of the given size. */
export const png = (width: number, height: number): Uint8Array => greyPng(width, height, 8, 0x80);

/** A minimal baseline-JPEG header (SOI, APP0, SOF0) carrying the given size. */
export function jpegHeader(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]);
}

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

export const S = {
  string: (name: string): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }),
  double: (name: string): SchemaElement => ({ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }),
  int64: (name: string): SchemaElement => ({ name, type: 'INT64', repetition_type: 'OPTIONAL' }),
  binary: (name: string): SchemaElement => ({ name, type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' }),
  /** HF `datasets` Image feature: struct {bytes: binary, path: string}. */
  image: (name: string): SchemaElement[] => [
    { name, repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
    { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ],
  stringList: (name: string): SchemaElement[] => [
    { name, repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ],
  struct: (name: string, children: SchemaElement[][]): SchemaElement[] => [
    { name, repetition_type: 'OPTIONAL', num_children: children.length },
    ...children.flat(),
  ],
};

/** Writes a parquet file; `columns` are [name, values, schema elements] in order. */
export async function writeParquet(path: string, columns: Array<[string, unknown[], SchemaElement | SchemaElement[]]>): Promise<string> {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const [, , s] of columns) schema.push(...(Array.isArray(s) ? s : [s]));
  const buf = parquetWriteBuffer({
    columnData: columns.map(([name, data]) => ({ name, data: data as never })),
    schema,
  });
  return put(path, new Uint8Array(buf));
}

export function jsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

const BIN = fileURLToPath(new URL('../../bin/lavida-eval.mjs', import.meta.url));

/** Runs the real `lavida-eval` CLI in a child process; never throws on a non-zero exit. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

