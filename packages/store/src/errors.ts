/** Machine-readable codes of {@link StoreError}. */
export type StoreErrorCode =
  /** A write from a fencing epoch older than the one recorded in the database (a deposed leader). */
  | 'STORE_STALE_EPOCH'
  /** A channel state whose version is not greater than the stored one. */
  | 'STORE_STALE_VERSION'
  /** The database was written by a newer Shoal (its schema version is above ours). */
  | 'STORE_SCHEMA_TOO_NEW'
  /** The database file is damaged or is not a database. */
  | 'STORE_CORRUPT'
  /** Another process (or connection) holds the database lock. */
  | 'STORE_LOCKED'
  /** No server could be reached, or none of them accepts writes. */
  | 'STORE_UNAVAILABLE'
  /** The store was used after `close()`. */
  | 'STORE_CLOSED'
  /** A referenced row does not exist (e.g. an HTLC of an unknown channel). */
  | 'STORE_NOT_FOUND'
  /** An argument the store cannot persist (wrong length, out of range). */
  | 'STORE_INVALID_ARGUMENT'
  /** Any other database failure; `cause` holds the driver error. */
  | 'STORE_DB_ERROR';

/** Metadata carried by a {@link StoreError}: only JSON-safe values so it can cross the mesh. */
export type StoreErrorMeta = Readonly<Record<string, string | number | boolean | null>>;

/** Serialised form of a {@link StoreError}. */
export interface StoreErrorJson {
  name: 'StoreError';
  code: StoreErrorCode;
  message: string;
  meta: StoreErrorMeta;
}

/** The one error class of `@shoal/store`. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly meta: StoreErrorMeta;

  constructor(
    code: StoreErrorCode,
    message: string,
    meta: StoreErrorMeta = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): StoreErrorJson {
    return { name: 'StoreError', code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: StoreErrorJson): StoreError {
    return new StoreError(json.code, json.message, json.meta);
  }
}

/** True when `err` is a {@link StoreError} with `code` (or any StoreError when `code` is omitted). */
export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}
