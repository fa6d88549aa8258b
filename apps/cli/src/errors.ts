/** Error codes of the CLI; each has its exit status (see {@link EXIT_STATUS}). */
export type CliErrorCode = 'CLI_USAGE' | 'CLI_API_ERROR' | 'CLI_UNREACHABLE';

/** Exit status per code: 1 the API answered an error, 2 bad usage, 3 the API could not be reached. */
export const EXIT_STATUS: Readonly<Record<CliErrorCode, number>> = {
  CLI_API_ERROR: 1,
  CLI_USAGE: 2,
  CLI_UNREACHABLE: 3,
};

/** Metadata of a {@link CliError}: plain JSON values, never the password. */
export type CliErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of a {@link CliError}. */
export interface CliErrorJSON {
  name: 'CliError';
  code: CliErrorCode;
  message: string;
  meta: CliErrorMeta;
}

/** The one error class of the CLI. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;
  readonly meta: CliErrorMeta;

  constructor(code: CliErrorCode, message: string, meta: CliErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  get exitStatus(): number {
    return EXIT_STATUS[this.code];
  }

  toJSON(): CliErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: CliErrorJSON): CliError {
    return new CliError(json.code, json.message, json.meta);
  }
}
