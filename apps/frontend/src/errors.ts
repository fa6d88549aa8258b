/** Error codes raised by the frontend app. */
export type FrontendErrorCode =
  /** `start()`/`stop()` called in the wrong state. */
  | 'FRONTEND_BAD_STATE'
  /** The peer broke BOLT 1 (`init` rules, unknown even message, malformed message). */
  | 'FRONTEND_PROTOCOL'
  /** The peer's `init` is incompatible with ours (networks, BOLT 9 features). */
  | 'FRONTEND_INCOMPATIBLE'
  /** An outgoing connection could not be established (TCP, SOCKS5 or BOLT 8). */
  | 'FRONTEND_DIAL_FAILED'
  /** The backend could not be reached over the mesh. */
  | 'FRONTEND_BACKEND_UNAVAILABLE'
  /** A listener (peer or HTTP port) could not be opened. */
  | 'FRONTEND_LISTEN_FAILED';

/** Metadata of a {@link FrontendError}: plain JSON values, never key material. */
export type FrontendErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of a {@link FrontendError}. */
export interface FrontendErrorJSON {
  name: 'FrontendError';
  code: FrontendErrorCode;
  message: string;
  meta: FrontendErrorMeta;
}

/** The one error class of the frontend app. */
export class FrontendError extends Error {
  override readonly name = 'FrontendError';
  readonly code: FrontendErrorCode;
  readonly meta: FrontendErrorMeta;

  constructor(
    code: FrontendErrorCode,
    message: string,
    meta: FrontendErrorMeta = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): FrontendErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: FrontendErrorJSON): FrontendError {
    return new FrontendError(json.code, json.message, json.meta);
  }
}

/** The message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
