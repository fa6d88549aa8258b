/** Error codes of the API layer; each maps to one HTTP status (see {@link API_ERROR_STATUS}). */
export type ApiErrorCode =
  | 'API_BAD_PARAM'
  | 'API_MISSING_PARAM'
  | 'API_UNSUPPORTED_MEDIA'
  | 'API_BODY_TOO_LARGE'
  | 'API_NOT_FOUND'
  | 'API_TIMEOUT'
  | 'API_UNAVAILABLE'
  | 'API_BAD_OPTION'
  | 'API_FAILED'
  | 'API_INTERNAL';

/** HTTP status answered for each code. Handlers throw `API_NOT_FOUND`/`API_BAD_PARAM`/`API_UNAVAILABLE`/`API_FAILED` too. */
export const API_ERROR_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  API_BAD_PARAM: 400,
  API_MISSING_PARAM: 400,
  API_UNSUPPORTED_MEDIA: 415,
  API_BODY_TOO_LARGE: 413,
  API_NOT_FOUND: 404,
  API_TIMEOUT: 408,
  API_UNAVAILABLE: 503,
  API_BAD_OPTION: 500,
  /** The call failed for a reason safe to show (Eclair answers 500 with the message, e.g. a failed `connect`). */
  API_FAILED: 500,
  API_INTERNAL: 500,
};

/** Metadata of an {@link ApiError}: plain JSON values (never a secret, never a raw parameter value). */
export type ApiErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of an {@link ApiError}. */
export interface ApiErrorJSON {
  name: 'ApiError';
  code: ApiErrorCode;
  message: string;
  meta: ApiErrorMeta;
}

/**
 * The one error class of the API layer. Its `message` is what the HTTP client sees in
 * `{"error": message}`, so it must be safe to show (handlers: no internal details).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly meta: ApiErrorMeta;

  constructor(code: ApiErrorCode, message: string, meta: ApiErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  /** The HTTP status this error is answered with. */
  get status(): number {
    return API_ERROR_STATUS[this.code];
  }

  toJSON(): ApiErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: ApiErrorJSON): ApiError {
    return new ApiError(json.code, json.message, json.meta);
  }
}
