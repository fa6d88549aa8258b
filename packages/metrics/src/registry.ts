import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { MetricsError } from './errors.js';
import type { MetricDef } from './names.js';

/** Options of {@link createMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Prefix of the Node.js process metrics (e.g. `shoal_` gives `shoal_process_cpu_seconds_total`). */
  prefix?: string;
  /** Collect Node.js process metrics (CPU, memory, event loop lag, GC). */
  defaultMetrics?: boolean;
  /** Labels added to every metric, e.g. `{ role: 'frontend' }`; keep them few and constant. */
  labels?: Record<string, string>;
}

/** A fresh registry (never prom-client's global one, so tests and several nodes in one process work). */
export function createMetricsRegistry(opts: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (opts.labels) registry.setDefaultLabels(opts.labels);
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: opts.prefix ?? '' });
  return registry;
}

const CLASSES = { counter: Counter, gauge: Gauge, histogram: Histogram } as const;

/** Gets the metric of `def` from `registry`, creating it on first use (so components can share it). */
export function metric<L extends string>(registry: Registry, def: MetricDef<'counter', L>): Counter<L>;
export function metric<L extends string>(registry: Registry, def: MetricDef<'gauge', L>): Gauge<L>;
export function metric<L extends string>(registry: Registry, def: MetricDef<'histogram', L>): Histogram<L>;
export function metric<L extends string>(
  registry: Registry,
  def: MetricDef<'counter' | 'gauge' | 'histogram', L>,
): Counter<L> | Gauge<L> | Histogram<L> {
  const existing = registry.getSingleMetric(def.name);
  if (existing !== undefined) {
    if (!(existing instanceof CLASSES[def.kind])) {
      throw new MetricsError('METRICS_KIND_MISMATCH', `${def.name} is already registered as another kind`, {
        name: def.name,
        kind: def.kind,
      });
    }
    return existing as Counter<L> | Gauge<L> | Histogram<L>;
  }
  const common = { name: def.name, help: def.help, labelNames: def.labelNames, registers: [registry] };
  switch (def.kind) {
    case 'counter':
      return new Counter<L>(common);
    case 'gauge':
      return new Gauge<L>(common);
    case 'histogram':
      return new Histogram<L>({ ...common, buckets: [...(def.buckets ?? [])] });
  }
}

/** Options of {@link metricsHandler}. */
export interface MetricsHandlerOptions {
  /** Path served; default `/metrics`. */
  path?: string;
  /** Called for other paths; default answers 404. */
  next?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Told about a failed collection (the scrape gets a 500); default `process.emitWarning`. */
  onError?: (err: MetricsError) => void;
}

/**
 * A `node:http` request listener serving the registry in the Prometheus text format at `/metrics`
 * (GET and HEAD; other methods get 405).
 */
export function metricsHandler(
  registry: Registry,
  opts: MetricsHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const path = opts.path ?? '/metrics';
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) {
      if (opts.next) opts.next(req, res);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (cause: unknown) => {
        const err = new MetricsError(
          'METRICS_COLLECT_FAILED',
          `collecting metrics failed: ${String(cause)}`,
          {},
          { cause },
        );
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
        (opts.onError ?? ((e: MetricsError) => process.emitWarning(e)))(err);
      },
    );
  };
}
