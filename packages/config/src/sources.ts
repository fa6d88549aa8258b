import type { ConfigIssue } from './errors.js';
import type { HoconObject, HoconValue, ParsedFile } from './hocon.js';
import { envName, type Setting } from './schema.js';

/** One raw value given by a layer, with where it came from. */
export interface RawEntry {
  readonly raw: unknown;
  readonly source: string;
  readonly line?: number;
  readonly column?: number;
}

/** A layer's entries by dotted key, plus the problems found while reading it. */
export interface Layer {
  readonly entries: Map<string, RawEntry>;
  readonly issues: ConfigIssue[];
}

type Settings = ReadonlyMap<string, Setting<unknown>>;

/** Why `key` is not a setting: a section name, or simply unknown. */
export function unknownKeyIssue(settings: Settings, key: string, source: string, extra = {}): ConfigIssue {
  const isSection = [...settings.keys()].some((k) => k.startsWith(`${key}.`));
  const reason = isSection
    ? 'is a section, not a value: set the keys inside it'
    : 'unknown key (not in the schema of this program)';
  return { code: 'CONFIG_UNKNOWN_KEY', key, reason, source, ...extra };
}

function flattenFile(obj: HoconObject, prefix: string, out: Map<string, HoconValue>): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) flattenFile(v, key, out);
    else out.set(key, v);
  }
}

/** The leaves of a parsed `shoal.conf`, checked against the schema. */
export function fileLayer(
  settings: Settings,
  parsed: ParsedFile,
  file: string,
  fixed: readonly string[],
): Layer {
  const entries = new Map<string, RawEntry>();
  const issues: ConfigIssue[] = [];
  const leaves = new Map<string, HoconValue>();
  flattenFile(parsed.root, '', leaves);
  const source = `file ${file}`;
  for (const [key, raw] of leaves) {
    const pos = parsed.positions.get(key) ?? {};
    if (!settings.has(key)) issues.push(unknownKeyIssue(settings, key, source, pos));
    else if (fixed.includes(key)) {
      issues.push({
        code: 'CONFIG_BAD_VALUE',
        key,
        reason: 'cannot be set in the file it locates',
        source,
        ...pos,
      });
    } else entries.set(key, { raw, source, ...pos });
  }
  return { entries, issues };
}

/** Splits `SHOAL_CONF` ("a.b=1;c=\"x;y\"") into key/value pairs. */
function splitShoalConf(text: string): Array<[string, string] | number> {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts
    .map((p, i): [string, string] | number | undefined => {
      if (p.trim() === '') return undefined;
      const eq = p.indexOf('=');
      if (eq < 0) return i + 1;
      return [
        p.slice(0, eq).trim(),
        p
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/s, '$1'),
      ];
    })
    .filter((x): x is [string, string] | number => x !== undefined);
}

/**
 * The environment layer. Within it, later wins: `SHOAL_CONF` entries, then Eclair aliases (the
 * first listed wins), then the `SHOAL_*` names. Empty variables count as unset (compose files).
 */
export function envLayer(settings: Settings, env: Readonly<Record<string, string | undefined>>): Layer {
  const entries = new Map<string, RawEntry>();
  const issues: ConfigIssue[] = [];
  const byEnv = new Map<string, string>();
  for (const key of settings.keys()) byEnv.set(envName(key), key);
  const conf = env.SHOAL_CONF;
  if (conf !== undefined && conf !== '') {
    for (const item of splitShoalConf(conf)) {
      if (typeof item === 'number') {
        issues.push({ code: 'CONFIG_PARSE', key: 'SHOAL_CONF', reason: `entry ${item} is not key=value` });
      } else if (!settings.has(item[0])) issues.push(unknownKeyIssue(settings, item[0], 'env SHOAL_CONF'));
      else entries.set(item[0], { raw: item[1], source: 'env SHOAL_CONF' });
    }
  }
  for (const [key, s] of settings) {
    for (const alias of [...s.envAliases].reverse()) {
      const v = env[alias];
      if (v !== undefined && v !== '') entries.set(key, { raw: v, source: `env ${alias}` });
    }
  }
  for (const [name, v] of Object.entries(env)) {
    if (!name.startsWith('SHOAL_') || name === 'SHOAL_CONF' || v === undefined || v === '') continue;
    const key = byEnv.get(name);
    if (key === undefined) {
      issues.push({
        code: 'CONFIG_UNKNOWN_KEY',
        key: name,
        reason: 'unknown environment variable (no such key)',
      });
    } else entries.set(key, { raw: v, source: `env ${name}` });
  }
  return { entries, issues };
}

/** Command-line flags: `--a.b=v`, `--a.b v`, and a bare `--a.b` meaning true. */
export function argvLayer(settings: Settings, argv: readonly string[]): Layer {
  const entries = new Map<string, RawEntry>();
  const issues: ConfigIssue[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--') || arg === '--') {
      issues.push({
        code: 'CONFIG_PARSE',
        reason: `unexpected argument ${i + 1}: flags look like --key=value`,
      });
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) raw = argv[++i] ?? '';
    else raw = 'true';
    if (!settings.has(key)) issues.push(unknownKeyIssue(settings, key, `flag --${key}`));
    else entries.set(key, { raw, source: `flag --${key}` });
  }
  return { entries, issues };
}
