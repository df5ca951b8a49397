// Reading HF parquet releases with hyparquet. Image columns are structs {bytes, path} (or plain binary).
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { UserError } from './errors.js';
import type { ImageSource } from './types.js';

export type Row = Record<string, unknown>;

/**
 * Reads rows of one parquet file. `columns` limits what is decoded (skip image bytes when only scoring);
 * columns the file lacks are ignored.
 */
export async function readParquetRows(file: string, columns?: string[]): Promise<Row[]> {
  try {
    const buf = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buf);
    const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
    const cols = columns?.filter((c) => present.has(c));
    return (await parquetReadObjects({ file: buf, metadata, columns: cols, utf8: false })) as Row[];
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read parquet file ${file}: ${(e as Error).message}`);
  }
}

/** Converts a parquet image cell to an ImageSource; null for a null cell. */
export function toImageSource(v: unknown): ImageSource | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return { kind: 'bytes', bytes: v };
  if (typeof v === 'object') {
    const { bytes, path } = v as { bytes?: unknown; path?: unknown };
    if (bytes instanceof Uint8Array) {
      return typeof path === 'string' ? { kind: 'bytes', bytes, name: path } : { kind: 'bytes', bytes };
    }
  }
  return null;
}

/** A string cell (or null). BYTE_ARRAY columns without a UTF8 annotation come back as bytes. */
export function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return null;
}

/** A numeric cell (int64 comes back as bigint). */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}
