import { StoreError } from './errors.js';

/** A value bound to a statement parameter. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** A result row as the drivers return it (types differ per driver; see the `col*` readers). */
export type Row = Readonly<Record<string, unknown>>;

/**
 * What the repositories need from a connection inside a transaction. SQL uses `?` placeholders;
 * the PostgreSQL executor rewrites them to `$n`. The repositories' SQL is portable between
 * SQLite (>= 3.35) and PostgreSQL (>= 13).
 */
export interface Executor {
  /** Runs a statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
}

/** Rewrites `?` placeholders to PostgreSQL's `$1, $2, ...` (our SQL has no `?` in literals). */
export function toDollarParams(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Reads an integer column as bigint (SQLite returns bigint, PostgreSQL BIGINT a string). */
export function colBig(row: Row, name: string): bigint {
  const v = row[name];
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' || typeof v === 'string') return BigInt(v);
  throw badColumn(name, v);
}

/** Like {@link colBig} but null stays null. */
export function colBigOrNull(row: Row, name: string): bigint | null {
  return row[name] === null || row[name] === undefined ? null : colBig(row, name);
}

/** Reads an integer column that fits a JS number (times, heights, small counters). */
export function colNum(row: Row, name: string): number {
  const v = row[name];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'string') return Number(v);
  throw badColumn(name, v);
}

export function colNumOrNull(row: Row, name: string): number | null {
  return row[name] === null || row[name] === undefined ? null : colNum(row, name);
}

export function colStr(row: Row, name: string): string {
  const v = row[name];
  if (typeof v === 'string') return v;
  throw badColumn(name, v);
}

export function colStrOrNull(row: Row, name: string): string | null {
  return row[name] === null || row[name] === undefined ? null : colStr(row, name);
}

/** Reads a BLOB/BYTEA column as a plain Uint8Array (a copy, so callers never alias driver memory). */
export function colBytes(row: Row, name: string): Uint8Array {
  const v = row[name];
  if (v instanceof Uint8Array) return new Uint8Array(v);
  throw badColumn(name, v);
}

export function colBytesOrNull(row: Row, name: string): Uint8Array | null {
  return row[name] === null || row[name] === undefined ? null : colBytes(row, name);
}

function badColumn(name: string, v: unknown): StoreError {
  return new StoreError('STORE_DB_ERROR', `unexpected value in column ${name}`, {
    column: name,
    type: v === null ? 'null' : typeof v,
  });
}

/** Checks a byte argument's length before it reaches the database. */
export function checkLength(field: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `${field} must be ${length} bytes, got ${bytes.length}`, {
      field,
      length: bytes.length,
    });
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Checks a bigint fits the signed 64-bit columns. */
export function checkInt64(field: string, value: bigint): bigint {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `${field} does not fit a signed 64-bit integer`, {
      field,
      value: value.toString(),
    });
  }
  return value;
}

/** `BigInt.asIntN(64)`-style mapping of an unsigned 64-bit short channel id to the signed column. */
export function scidToDb(scid: bigint): bigint {
  if (scid < 0n || scid >= 2n ** 64n) {
    throw new StoreError('STORE_INVALID_ARGUMENT', 'short_channel_id must be an unsigned 64-bit integer', {
      value: scid.toString(),
    });
  }
  return BigInt.asIntN(64, scid);
}

/** Inverse of {@link scidToDb}. */
export function scidFromDb(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}
