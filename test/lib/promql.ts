// Helpers for the monitoring test: metric names used by PromQL expressions, and the metric
// families a Prometheus text exposition declares.

/** PromQL functions, aggregations and keywords: identifiers that are never metric names. */
const NOT_METRICS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names an expression selects. Strips string literals, label matchers, ranges,
 * grouping clauses and Grafana variables, then takes every identifier that is not a function call
 * or keyword. Good enough for dashboard expressions; not a full PromQL parser.
 */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  const names = new Set<string>();
  // The look-behind skips the unit of a duration or the exponent of a number (`5m`, `1e3`).
  for (const m of stripped.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)) {
    const [, name, call] = m;
    if (name === undefined || call !== undefined || NOT_METRICS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** A metric family of an exposition: its declared type and how many samples it had. */
export interface Family {
  type: string;
  samples: number;
}

const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/** The families of a Prometheus text exposition, by name (samples of `x_bucket` count for histogram `x`). */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const lines = text.split('\n');
  for (const line of lines) {
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t?.[1] !== undefined && t[2] !== undefined) families.set(t[1], { type: t[2], samples: 0 });
  }
  for (const line of lines) {
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1];
    if (sample === undefined) continue;
    const family = familyOf(families, sample);
    if (family !== undefined) family.samples++;
  }
  return families;
}

/** The family a sample or selector name belongs to: itself, or a histogram/summary it is a suffix of. */
export function familyOf(families: ReadonlyMap<string, Family>, name: string): Family | undefined {
  const own = families.get(name);
  if (own !== undefined) return own;
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const s of suffixes) {
      if (!name.endsWith(s)) continue;
      const base = families.get(name.slice(0, -s.length));
      if (base?.type === type) return base;
    }
  }
  return undefined;
}
