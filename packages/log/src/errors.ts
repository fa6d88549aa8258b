/** Error codes raised by `@shoal/log`. */
export type LogErrorCode = 'LOG_BAD_OPTION';

/** Metadata of a {@link LogError}: plain JSON values. */
export type LogErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of a {@link LogError}. */
export interface LogErrorJSON {
  name: 'LogError';
  code: LogErrorCode;
  message: string;
  meta: LogErrorMeta;
}

/** The one error class of this package. */
export class LogError extends Error {
  override readonly name = 'LogError';
  readonly code: LogErrorCode;
  readonly meta: LogErrorMeta;

  constructor(code: LogErrorCode, message: string, meta: LogErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): LogErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: LogErrorJSON): LogError {
    return new LogError(json.code, json.message, json.meta);
  }
}
