import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import convict from 'convict';
import { ConfigError, type ConfigIssue } from './errors.js';
import { parseHocon } from './hocon.js';
import {
  type AppSchema,
  type ConfigOf,
  envName,
  flattenSchema,
  type SchemaTree,
  type Setting,
} from './schema.js';
import { argvLayer, envLayer, fileLayer, type Layer, type RawEntry } from './sources.js';

/** Where a loaded configuration comes from; every field defaults to the real process. */
export interface LoadOptions {
  /** Data directory when neither `--datadir` nor `SHOAL_DATADIR` gives one. */
  datadir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  argv?: readonly string[];
}

/** The name of the configuration file inside the data directory. */
export const CONFIG_FILE_NAME = 'shoal.conf';
/** Shown instead of a secret's value. */
export const REDACTED = '<redacted>';

interface Loaded {
  readonly settings: ReadonlyMap<string, Setting<unknown>>;
  readonly values: ReadonlyMap<string, unknown>;
  readonly sources: ReadonlyMap<string, string>;
}
const loadedMeta = new WeakMap<object, Loaded>();

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

function show(raw: unknown): string {
  const s = typeof raw === 'string' ? JSON.stringify(raw) : (JSON.stringify(raw) ?? String(raw));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function readFileLayer(settings: ReadonlyMap<string, Setting<unknown>>, file: string): Layer | undefined {
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw ConfigError.of('CONFIG_PARSE', `cannot read the file: ${(e as Error).message}`, {
      source: `file ${file}`,
    });
  }
  return fileLayer(settings, parseHocon(text, file), file, ['datadir']);
}

function setPath(root: Record<string, unknown>, key: string, value: unknown): void {
  const path = key.split('.');
  let node = root;
  for (const seg of path.slice(0, -1)) {
    if (typeof node[seg] !== 'object' || node[seg] === null) node[seg] = {};
    node = node[seg] as Record<string, unknown>;
  }
  node[path[path.length - 1] ?? ''] = value;
}

/** Builds convict's schema: our formats become its validators, so `validate` re-checks everything. */
function convictSchema(settings: ReadonlyMap<string, Setting<unknown>>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, s] of settings) {
    setPath(root, key, {
      doc: s.doc,
      default: s.default,
      nullable: s.default === null,
      sensitive: s.sensitive,
      format: (v: unknown) => {
        const r = s.format.parse(v);
        if (!r.ok) throw new Error(r.reason);
      },
    });
  }
  return root;
}

function nest(values: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, v] of values) {
    setPath(root, key, v);
  }
  return root;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * Loads a configuration: defaults < `<datadir>/shoal.conf` < environment < flags. Every problem
 * (unknown key, bad value, missing key, failed rule) is collected and thrown as one
 * {@link ConfigError} naming each key and reason. The result is deeply frozen; its `toJSON` and
 * `util.inspect` mask secrets.
 */
export function loadConfig<S extends SchemaTree>(schema: AppSchema<S>, opts: LoadOptions = {}): ConfigOf<S> {
  const settings = flattenSchema(schema.settings);
  const env = opts.env ?? process.env;
  const flags = argvLayer(settings, opts.argv ?? process.argv.slice(2));
  const envs = envLayer(settings, env);
  const dd = flags.entries.get('datadir') ?? envs.entries.get('datadir');
  const fromDefault = settings.get('datadir')?.default;
  const datadir = resolve(
    expandHome(
      String(dd?.raw ?? opts.datadir ?? (typeof fromDefault === 'string' ? fromDefault : '~/.shoal')),
    ),
  );
  const file = readFileLayer(settings, join(datadir, CONFIG_FILE_NAME));

  const issues: ConfigIssue[] = [...(file?.issues ?? []), ...envs.issues, ...flags.issues];
  const raw = new Map<string, RawEntry>();
  for (const [key, s] of settings) raw.set(key, { raw: s.default, source: 'default' });
  for (const layer of [file, envs, flags]) for (const [k, e] of layer?.entries ?? []) raw.set(k, e);
  if (settings.has('datadir'))
    raw.set('datadir', {
      raw: datadir,
      source: dd?.source ?? (opts.datadir !== undefined ? 'option datadir' : 'default'),
    });

  const values = new Map<string, unknown>();
  const sources = new Map<string, string>();
  for (const [key, e] of raw) {
    const s = settings.get(key);
    if (!s) continue;
    sources.set(key, e.source);
    if (e.raw === null) {
      values.set(key, null);
      continue;
    }
    const r = s.format.parse(e.raw);
    if (r.ok) values.set(key, r.value);
    else {
      const reason = s.sensitive ? r.reason : `${r.reason}; value was ${show(e.raw)}`;
      issues.push({
        code: 'CONFIG_BAD_VALUE',
        key,
        reason,
        source: e.source,
        line: e.line,
        column: e.column,
      });
      values.set(key, null);
    }
  }
  for (const rule of schema.rules) {
    issues.push(
      ...rule.apply({
        get: (k) => values.get(k),
        set: (k, v, source) => {
          values.set(k, v);
          sources.set(k, source);
        },
        source: (k) => sources.get(k) ?? 'default',
      }),
    );
  }
  for (const [key, s] of settings) {
    if (s.required && values.get(key) === null && !issues.some((i) => i.key === key)) {
      const names = [envName(key), ...s.envAliases].join(' or ');
      issues.push({
        code: 'CONFIG_MISSING',
        key,
        reason: `is required: set it in shoal.conf, with ${names} or --${key}`,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues.map((i) => stripUndefined(i)));

  const conf = convict(convictSchema(settings) as convict.Schema<Record<string, unknown>>, {
    env: {},
    args: [],
  });
  conf.load(nest(values));
  try {
    conf.validate({ allowed: 'strict' });
  } catch (e) {
    // Unreachable unless our own checks and convict disagree; convict masks sensitive values.
    throw ConfigError.of('CONFIG_BAD_VALUE', (e as Error).message, { source: 'convict' });
  }
  const result = deepFreeze(withSafePrinting(conf.getProperties(), { settings, values, sources }));
  return result as ConfigOf<S>;
}

function stripUndefined(i: ConfigIssue): ConfigIssue {
  return Object.fromEntries(Object.entries(i).filter(([, v]) => v !== undefined)) as unknown as ConfigIssue;
}

function withSafePrinting(obj: Record<string, unknown>, meta: Loaded): Record<string, unknown> {
  loadedMeta.set(obj, meta);
  Object.defineProperty(obj, 'toJSON', { value: () => safeTree(meta), enumerable: false });
  Object.defineProperty(obj, inspect.custom, { value: () => safeTree(meta), enumerable: false });
  return obj;
}

function metaOf(config: object): Loaded {
  const m = loadedMeta.get(config);
  if (!m) throw ConfigError.of('CONFIG_SCHEMA', 'not an object returned by loadConfig');
  return m;
}

function safeValue(s: Setting<unknown>, v: unknown): unknown {
  return s.sensitive && v !== null ? REDACTED : v;
}

function safeTree(meta: Loaded): Record<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, s] of meta.settings) out.set(key, safeValue(s, meta.values.get(key)));
  return nest(out);
}

/** The loaded values as nested JSON with every secret replaced by {@link REDACTED}. */
export function toSafeJSON(config: object): Record<string, unknown> {
  return safeTree(metaOf(config));
}

/** One line per key, `key = value (source)`, secrets masked: for a start-up log. */
export function describeConfig(config: object): string {
  const meta = metaOf(config);
  const lines: string[] = [];
  for (const [key, s] of meta.settings) {
    const v = meta.values.get(key);
    const shown = s.sensitive && v !== null ? REDACTED : v === null ? 'unset' : s.format.show(v);
    lines.push(`${key} = ${shown} (${meta.sources.get(key) ?? 'default'})`);
  }
  return lines.join('\n');
}
