import { ConfigError, type ConfigIssue } from './errors.js';
import type { Format } from './formats.js';

/** One configuration key: its format, default, documentation and handling. */
export interface Setting<T> {
  readonly kind: 'setting';
  readonly format: Format<T>;
  /** `null` means "unset"; a `required` key must then be given by some layer. */
  readonly default: T | null;
  readonly doc: string;
  /** Never printed: masked by describe()/toSafeJSON(), and its value is never put in an error. */
  readonly sensitive: boolean;
  readonly required: boolean;
  /** Extra environment variable names (Eclair's), lower priority than the SHOAL_ name, first wins. */
  readonly envAliases: readonly string[];
}

/** A nested tree of settings, as convict's schemas are. */
export interface SchemaTree {
  readonly [key: string]: Setting<unknown> | SchemaTree;
}

/** What a rule sees: the merged values by dotted key, and where each came from. */
export interface RuleContext {
  get(key: string): unknown;
  set(key: string, value: unknown, source: string): void;
  source(key: string): string;
}

/** A cross-key check or derivation, run after layering and before the per-key validation. */
export interface Rule {
  /** One line for docs/configuration.md. */
  readonly doc: string;
  apply(ctx: RuleContext): ConfigIssue[];
}

/** A schema composed for one app (or one part, before composition). */
export interface AppSchema<S extends SchemaTree> {
  readonly name: string;
  readonly settings: S;
  readonly rules: readonly Rule[];
}

interface SettingOpts<T> {
  readonly doc: string;
  readonly default: T | null;
  readonly sensitive?: boolean;
  readonly required?: boolean;
  readonly env?: readonly string[];
}

/** The value type a setting yields: nullable unless it has a default or is required. */
export type SettingValue<T, O> = O extends { default: null }
  ? O extends { required: true }
    ? T
    : T | null
  : T;

/** Declares a key; the value type follows from the format and whether a default exists. */
export function setting<T, const O extends SettingOpts<T>>(
  format: Format<T>,
  o: O,
): Setting<SettingValue<T, O>> {
  return {
    kind: 'setting',
    format: format as Format<SettingValue<T, O>>,
    default: o.default as SettingValue<T, O> | null,
    doc: o.doc,
    sensitive: o.sensitive ?? false,
    required: o.required ?? false,
    envAliases: o.env ?? [],
  };
}

/** The loaded, typed configuration for a schema tree. */
export type ConfigOf<S extends SchemaTree> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T>
    ? T
    : S[K] extends SchemaTree
      ? ConfigOf<S[K]>
      : never;
};

export function isSetting(x: Setting<unknown> | SchemaTree): x is Setting<unknown> {
  return (x as { kind?: unknown }).kind === 'setting';
}

/** Every leaf of a tree by dotted key, in declaration order. */
export function flattenSchema(tree: SchemaTree, prefix = ''): Map<string, Setting<unknown>> {
  const out = new Map<string, Setting<unknown>>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isSetting(v)) out.set(key, v);
    else for (const [kk, vv] of flattenSchema(v, key)) out.set(kk, vv);
  }
  return out;
}

/** `SHOAL_` + the key upper-cased with `.` and `-` turned into `_`. */
export function envName(key: string): string {
  return `SHOAL_${key.toUpperCase().replace(/[.-]/g, '_')}`;
}

function mergeTrees(a: SchemaTree, b: SchemaTree, path: string): SchemaTree {
  const out: Record<string, Setting<unknown> | SchemaTree> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const key = path ? `${path}.${k}` : k;
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (!isSetting(prev) && !isSetting(v)) out[k] = mergeTrees(prev, v, key);
    else throw ConfigError.of('CONFIG_SCHEMA', 'declared twice while composing schemas', { key });
  }
  return out;
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** Composes parts (e.g. common + backend) into one app schema; a key declared twice is a bug. */
export function composeSchema<const P extends readonly AppSchema<SchemaTree>[]>(
  name: string,
  ...parts: P
): AppSchema<UnionToIntersection<P[number]['settings']> & SchemaTree> {
  let settings: SchemaTree = {};
  for (const p of parts) settings = mergeTrees(settings, p.settings, '');
  const seen = new Map<string, string>();
  for (const [key, s] of flattenSchema(settings)) {
    for (const env of [envName(key), ...s.envAliases]) {
      const other = seen.get(env);
      if (other !== undefined && !s.envAliases.includes(env)) {
        throw ConfigError.of('CONFIG_SCHEMA', `environment name ${env} also used by ${other}`, { key });
      }
      seen.set(env, key);
    }
  }
  return {
    name,
    settings: settings as UnionToIntersection<P[number]['settings']> & SchemaTree,
    rules: parts.flatMap((p) => p.rules),
  };
}
