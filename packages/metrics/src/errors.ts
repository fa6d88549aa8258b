/** Error codes raised by `@shoal/metrics`. */
export type MetricsErrorCode = 'METRICS_KIND_MISMATCH' | 'METRICS_LABELS_MISMATCH' | 'METRICS_COLLECT_FAILED';

/** Metadata of a {@link MetricsError}: plain JSON values. */
export type MetricsErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of a {@link MetricsError}. */
export interface MetricsErrorJSON {
  name: 'MetricsError';
  code: MetricsErrorCode;
  message: string;
  meta: MetricsErrorMeta;
}

/** The one error class of this package. */
export class MetricsError extends Error {
  override readonly name = 'MetricsError';
  readonly code: MetricsErrorCode;
  readonly meta: MetricsErrorMeta;

  constructor(code: MetricsErrorCode, message: string, meta: MetricsErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): MetricsErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: MetricsErrorJSON): MetricsError {
    return new MetricsError(json.code, json.message, json.meta);
  }
}
