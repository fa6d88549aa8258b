/** Machine-readable codes of {@link HaError}. */
export type HaErrorCode =
  /** Options that cannot work (no endpoints, TTL below 1 s, margin not below the TTL...). */
  | 'HA_BAD_OPTIONS'
  /** etcd could not be reached or refused a call. */
  | 'HA_ETCD_UNAVAILABLE'
  /** No keep-alive was acknowledged for TTL minus the safety margin: we may no longer lead. */
  | 'HA_LEASE_EXPIRED'
  /** etcd said our lease is gone (expired or revoked on the server). */
  | 'HA_LEASE_LOST'
  /** Our election key was deleted (e.g. by an operator). */
  | 'HA_KEY_DELETED'
  /** We resigned. */
  | 'HA_RESIGNED'
  /** The store refused a write: its fencing epoch is newer than ours (another backend took over). */
  | 'HA_FENCED'
  /** A leader-only operation was attempted without (or after losing) leadership. */
  | 'HA_NOT_LEADER'
  /** The elector was stopped (before or during a campaign). */
  | 'HA_STOPPED';

/** Metadata carried by a {@link HaError}: JSON-safe values only so it can cross the mesh. */
export type HaErrorMeta = Readonly<Record<string, string | number | boolean | null>>;

/** Serialised form of a {@link HaError}. */
export interface HaErrorJson {
  name: 'HaError';
  code: HaErrorCode;
  message: string;
  meta: HaErrorMeta;
}

/** The one error class of `@shoal/ha`. */
export class HaError extends Error {
  override readonly name = 'HaError';
  readonly code: HaErrorCode;
  readonly meta: HaErrorMeta;

  constructor(code: HaErrorCode, message: string, meta: HaErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): HaErrorJson {
    return { name: 'HaError', code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: HaErrorJson): HaError {
    return new HaError(json.code, json.message, json.meta);
  }
}

/** True when `err` is a {@link HaError} with `code` (or any HaError when `code` is omitted). */
export function isHaError(err: unknown, code?: HaErrorCode): err is HaError {
  return err instanceof HaError && (code === undefined || err.code === code);
}
