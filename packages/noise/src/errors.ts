/** Error codes raised by `@shoal/noise`. */
export type NoiseErrorCode =
  /** An act's version byte is not 0 (BOLT 8). */
  | 'NOISE_BAD_VERSION'
  /** A handshake MAC, an encrypted length or an encrypted message failed authentication. */
  | 'NOISE_BAD_MAC'
  /** An ephemeral or static public key in an act is not a valid secp256k1 point. */
  | 'NOISE_BAD_KEY'
  /** An act had the wrong length (BOLT 8 "short read"). */
  | 'NOISE_SHORT_READ'
  /** The handshake did not finish within `handshakeTimeoutMs`. */
  | 'NOISE_TIMEOUT'
  /** A message longer than 65535 bytes was written. */
  | 'NOISE_MESSAGE_TOO_LARGE'
  /** The connection closed (before the handshake finished, mid-frame, or write after close). */
  | 'NOISE_CLOSED'
  /** A handshake method was called out of order. */
  | 'NOISE_BAD_STATE'
  /** The TCP socket reported an error (connect refused, reset...). */
  | 'NOISE_SOCKET_ERROR';

/** Metadata attached to a {@link NoiseError}; plain JSON values only so it can cross the mesh. */
export type NoiseErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of a {@link NoiseError}. */
export interface NoiseErrorJSON {
  name: 'NoiseError';
  code: NoiseErrorCode;
  message: string;
  meta: NoiseErrorMeta;
}

/** The one error class of this package. */
export class NoiseError extends Error {
  override readonly name = 'NoiseError';
  readonly code: NoiseErrorCode;
  readonly meta: NoiseErrorMeta;

  constructor(code: NoiseErrorCode, message: string, meta: NoiseErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): NoiseErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: NoiseErrorJSON): NoiseError {
    return new NoiseError(json.code, json.message, json.meta);
  }
}

/** Wraps anything thrown by a socket into a {@link NoiseError}, keeping the cause. */
export function toNoiseError(err: unknown, fallback: NoiseErrorCode = 'NOISE_SOCKET_ERROR'): NoiseError {
  if (err instanceof NoiseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const meta: NoiseErrorMeta = {};
  const sysCode = (err as { code?: unknown } | null)?.code;
  if (typeof sysCode === 'string') meta.cause = sysCode;
  return new NoiseError(fallback, message, meta, { cause: err });
}
