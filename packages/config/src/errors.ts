/**
 * Error codes raised by `@shoal/config`.
 * `CONFIG_SCHEMA` is a programming error in a schema definition, not an operator's mistake.
 */
export type ConfigErrorCode =
  | 'CONFIG_UNKNOWN_KEY'
  | 'CONFIG_BAD_VALUE'
  | 'CONFIG_PARSE'
  | 'CONFIG_MISSING'
  | 'CONFIG_SCHEMA';

/** One problem found while loading; several may be reported by one {@link ConfigError}. */
export interface ConfigIssue {
  code: ConfigErrorCode;
  /** The dotted key (or the environment variable / flag) concerned, when there is one. */
  key?: string;
  /** Why it was refused, never containing a secret's value. */
  reason: string;
  /** Where the value came from: `default`, `file /x/shoal.conf`, `env SHOAL_X`, `flag --x`. */
  source?: string;
  line?: number;
  column?: number;
}

/** Metadata of a {@link ConfigError}: plain JSON so it can cross the mesh. */
export interface ConfigErrorMeta {
  issues: ConfigIssue[];
}

/** Serialised form of a {@link ConfigError}. */
export interface ConfigErrorJSON {
  name: 'ConfigError';
  code: ConfigErrorCode;
  message: string;
  meta: ConfigErrorMeta;
}

/** Formats one issue as `key: reason (source)`. */
export function formatIssue(i: ConfigIssue): string {
  const where = i.source ? ` (${i.source}${i.line !== undefined ? `:${i.line}:${i.column ?? 0}` : ''})` : '';
  return `${i.key ? `${i.key}: ` : ''}${i.reason}${where}`;
}

/** The one error class of this package; `code` is the first issue's code. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly meta: ConfigErrorMeta;

  constructor(issues: ConfigIssue[], options?: ErrorOptions) {
    const first = issues[0] ?? { code: 'CONFIG_BAD_VALUE' as const, reason: 'invalid configuration' };
    const message =
      issues.length <= 1
        ? `invalid configuration: ${formatIssue(first)}`
        : `invalid configuration (${issues.length} problems):\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`;
    super(message, options);
    this.code = first.code;
    this.meta = { issues };
  }

  /** Convenience for a single issue. */
  static of(
    code: ConfigErrorCode,
    reason: string,
    extra: Omit<ConfigIssue, 'code' | 'reason'> = {},
  ): ConfigError {
    return new ConfigError([{ code, reason, ...extra }]);
  }

  toJSON(): ConfigErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: ConfigErrorJSON): ConfigError {
    return new ConfigError(json.meta.issues);
  }
}
