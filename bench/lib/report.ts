import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One row of a benchmark result, as `bench/README.md` describes it. */
export interface BenchRow {
  figure: string;
  unit: string;
  shoal: number;
  baseline: number;
  baselineName: string;
  /** shoal / baseline for "more is better" units, baseline / shoal for "less is better" ones. */
  ratio: number;
}

/** Units where a smaller number is better (latencies, sizes, durations). */
const LOWER_IS_BETTER = /^(ms|s|us|µs|ns|bytes|KiB|MiB)$/;

export function row(
  figure: string,
  unit: string,
  shoal: number,
  baseline: number,
  baselineName: string,
): BenchRow {
  const ratio = LOWER_IS_BETTER.test(unit) ? baseline / shoal : shoal / baseline;
  return { figure, unit, shoal: round(shoal), baseline: round(baseline), baselineName, ratio: round(ratio) };
}

function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 1 ? 2 : 4;
  return Number(x.toFixed(digits));
}

/** Prints the rows as a table and writes `bench/results/NAME.json`. */
export function report(name: string, rows: BenchRow[]): void {
  const head = ['figure', 'unit', 'shoal', 'baseline', 'baselineName', 'ratio'] as const;
  const cells = rows.map((r) => head.map((h) => String(r[h])));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: readonly string[]) => c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const c of cells) console.log(line(c));
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results', `${name}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

/** Runs `fn` repeatedly for about `ms` milliseconds and returns operations per second. */
export async function opsPerSecond(
  fn: () => unknown | Promise<unknown>,
  ms = 1000,
  batch = 1,
): Promise<number> {
  const start = process.hrtime.bigint();
  const limit = start + BigInt(ms) * 1_000_000n;
  let ops = 0;
  let now = start;
  while (now < limit) {
    for (let i = 0; i < batch; i++) await fn();
    ops += batch;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}
