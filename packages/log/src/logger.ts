import { LogError } from './errors.js';
import { type Json, toJson } from './serialize.js';

/** Levels, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, unknown>;

/** The logger every component receives (injected, never imported as a global). */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger adding `fields` to every line (e.g. `{ component: 'mesh' }`). */
  child(fields: LogFields): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

/** Where lines go: anything with `write(string)`, e.g. `process.stderr` or a file stream. */
export interface LogSink {
  write(line: string): unknown;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Default `process.stderr`. */
  sink?: LogSink;
  /** Fields on every line, e.g. `{ role: 'frontend', member: '10.0.0.5:25520' }`. */
  fields?: LogFields;
  /** For tests: the time of a line. */
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const CORE = new Set(['time', 'level', 'msg']);

function jsonLine(time: string, level: LogLevel, msg: string, fields: Record<string, Json>): string {
  const out: Record<string, Json> = { time, level, msg };
  for (const [k, v] of Object.entries(fields)) out[CORE.has(k) ? `${k}_` : k] = v;
  return `${JSON.stringify(out)}\n`;
}

function prettyValue(v: Json): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.message === 'string') {
    // An error on one line: name, code and message; the stack only goes to JSON output.
    const code = typeof v.code === 'string' ? ` ${v.code}` : '';
    return JSON.stringify(`${String(v.name ?? 'Error')}${code}: ${v.message}`);
  }
  return JSON.stringify(v);
}

function prettyLine(time: string, level: LogLevel, msg: string, fields: Record<string, Json>): string {
  const kv = Object.entries(fields).map(([k, v]) => ` ${k}=${prettyValue(v)}`);
  return `${time} ${level.toUpperCase().padEnd(5)} ${msg.replace(/\n/g, '\\n')}${kv.join('')}\n`;
}

class StructuredLogger implements Logger {
  constructor(
    private readonly threshold: number,
    private readonly render: typeof jsonLine,
    private readonly sink: LogSink,
    private readonly bound: Record<string, Json>,
    private readonly now: () => Date,
  ) {}

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (RANK[level] < this.threshold) return;
    const own = fields ? (toJson(fields) as Record<string, Json>) : {};
    this.sink.write(this.render(this.now().toISOString(), level, msg, { ...this.bound, ...own }));
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }
  child(fields: LogFields): Logger {
    const more = toJson(fields) as Record<string, Json>;
    return new StructuredLogger(this.threshold, this.render, this.sink, { ...this.bound, ...more }, this.now);
  }
  isLevelEnabled(level: LogLevel): boolean {
    return RANK[level] >= this.threshold;
  }
}

/** A logger writing JSON lines (default) or readable single lines to stderr (default). */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const format = opts.format ?? 'json';
  if (!Object.hasOwn(RANK, level))
    throw new LogError('LOG_BAD_OPTION', `unknown log level`, { level: String(level) });
  if (format !== 'json' && format !== 'pretty') {
    throw new LogError('LOG_BAD_OPTION', 'unknown log format', { format: String(format) });
  }
  const bound = opts.fields ? (toJson(opts.fields) as Record<string, Json>) : {};
  return new StructuredLogger(
    RANK[level],
    format === 'json' ? jsonLine : prettyLine,
    opts.sink ?? process.stderr,
    bound,
    opts.now ?? (() => new Date()),
  );
}

/** A logger that drops everything (tests, optional dependencies). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
  isLevelEnabled: () => false,
};
