/** Error codes of the backend app. */
export type BackendErrorCode =
  | 'BACKEND_FRONTEND_UNAVAILABLE'
  | 'BACKEND_CONNECT_FAILED'
  | 'BACKEND_CONNECT_TIMEOUT'
  | 'BACKEND_BAD_STATE'
  | 'BACKEND_STARTUP';

/** Metadata of a {@link BackendError}: plain JSON values, never a secret. */
export type BackendErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of a {@link BackendError}. */
export interface BackendErrorJSON {
  name: 'BackendError';
  code: BackendErrorCode;
  message: string;
  meta: BackendErrorMeta;
}

/** The one error class of the backend app. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  readonly code: BackendErrorCode;
  readonly meta: BackendErrorMeta;

  constructor(code: BackendErrorCode, message: string, meta: BackendErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): BackendErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: BackendErrorJSON): BackendError {
    return new BackendError(json.code, json.message, json.meta);
  }
}

/** `message` of any thrown value, for logs and reasons. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
