// Test helpers: temp folders and files in the real release formats (parquet with image structs, PNG bytes).
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parquetWriteBuffer } from 'hyparquet-writer';
import sharp from 'sharp';
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

/** A port nothing listens on: one the OS handed out, then closed. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A valid grey PNG of the given size. */
export const png = (width: number, height: number): Uint8Array => greyPng(width, height, 8, 0x80);

/** A PNG of one colour (RGB), encoded by sharp. */
export const solidPng = (width: number, height: number, [r, g, b]: [number, number, number]): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

/** A grey JPEG of the given size, encoded by sharp. */
export const jpeg = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .jpeg()
    .toBuffer();

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

export const S = {
  string: (name: string): SchemaElement => ({
    name,
    type: 'BYTE_ARRAY',
    converted_type: 'UTF8',
    repetition_type: 'OPTIONAL',
  }),
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
export async function writeParquet(
  path: string,
  columns: Array<[string, unknown[], SchemaElement | SchemaElement[]]>,
): Promise<string> {
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

/** Runs the real `lavida-eval` CLI in a child process (`env` added to this one's); never throws on a non-zero exit. */
export async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

export type Rgb = [number, number, number];

/** Source images of the MMMU-Pro multi-image fixture: a 3-image item, then a 2-image item that names neither. */
export const MULTI_IMAGES: Array<{ width: number; height: number; rgb: Rgb }> = [
  { width: 40, height: 20, rgb: [255, 0, 0] },
  { width: 20, height: 20, rgb: [0, 255, 0] },
  { width: 30, height: 60, rgb: [0, 0, 255] },
];

/**
 * An MMMU-Pro root in the release format (config folders of parquet, image_1…image_7 structs): standard
 * `test_Art_1` with three images named in the question and the options, `test_Art_2` with one image named once,
 * `test_Art_3` with two images and no tag; vision `test_Art_1` with its screenshot. Returns the image bytes too.
 */
export async function writeMMMUProMultiImage(
  root: string,
): Promise<{ multi: Buffer[]; single: Buffer; pair: Buffer[]; screenshot: Buffer }> {
  const multi = await Promise.all(MULTI_IMAGES.map((m) => solidPng(m.width, m.height, m.rgb)));
  const single = await solidPng(16, 12, [255, 255, 0]);
  const pair = [await solidPng(10, 10, [0, 255, 255]), await solidPng(10, 10, [255, 0, 255])];
  const screenshot = await solidPng(24, 24, [10, 20, 30]);
  const cell = (b: Buffer | undefined) => (b ? { bytes: new Uint8Array(b), path: null } : null);
  const rows = [
    {
      id: 'test_Art_1',
      question: 'Which of <image 1>, <image 2> and <image 3> is the odd one out?',
      options: "['<image 1>', '<image 2>', '<image 3>']",
      answer: 'C',
      images: multi,
    },
    {
      id: 'test_Art_2',
      question: 'What colour is <image 1>?',
      options: "['yellow', 'blue']",
      answer: 'A',
      images: [single],
    },
    { id: 'test_Art_3', question: 'Which square is magenta?', options: "['left', 'right']", answer: 'B', images: pair },
  ];
  const col = (name: string, pick: (r: (typeof rows)[number]) => string) =>
    [name, rows.map(pick), S.string(name)] as [string, unknown[], SchemaElement];
  await writeParquet(join(root, 'standard (10 options)', 'test-00000-of-00001.parquet'), [
    col('id', (r) => r.id),
    col('question', (r) => r.question),
    col('options', (r) => r.options),
    col('explanation', () => '?'),
    ...Array.from({ length: 7 }, (_, k): [string, unknown[], SchemaElement[]] => [
      `image_${k + 1}`,
      rows.map((r) => cell(r.images[k])),
      S.image(`image_${k + 1}`),
    ]),
    col('img_type', () => "['Paintings']"),
    col('answer', (r) => r.answer),
    col('topic_difficulty', () => 'Easy'),
    col('subject', () => 'Art'),
  ]);
  await writeParquet(join(root, 'vision', 'test-00000-of-00001.parquet'), [
    ['id', ['test_Art_1'], S.string('id')],
    ['image', [cell(screenshot)], S.image('image')],
    ['options', [rows[0]!.options], S.string('options')],
    ['answer', ['C'], S.string('answer')],
    ['subject', ['Art'], S.string('subject')],
  ]);
  return { multi, single, pair, screenshot };
}
