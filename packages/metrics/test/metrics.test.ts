import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Gauge } from 'prom-client';
import {
  ALL_METRICS,
  createMetricsRegistry,
  HANDSHAKES_TOTAL,
  MetricsError,
  metric,
  metricsHandler,
  PEER_CONNECTIONS,
  PING_RTT_SECONDS,
} from '../src/index.js';

describe('metrics over HTTP on 127.0.0.1', { timeout: 20_000 }, () => {
  const registry = createMetricsRegistry({ prefix: 'shoal_', labels: { role: 'frontend' } });
  let server: Server;
  let base = '';

  before(async () => {
    server = createServer(
      metricsHandler(registry, {
        next: (req, res) =>
          res.writeHead(req.url === '/health' ? 200 : 404).end(req.url === '/health' ? 'ok' : ''),
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  });

  it('serves the registry with the Prometheus content type', async () => {
    metric(registry, PEER_CONNECTIONS).labels('ready').set(3);
    metric(registry, HANDSHAKES_TOTAL).labels('in', 'ok').inc(2);
    metric(registry, PING_RTT_SECONDS).observe(0.012);
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), registry.contentType);
    const body = await res.text();
    assert.match(body, /^# TYPE shoal_peer_connections gauge$/m);
    assert.match(body, /^shoal_peer_connections\{state="ready",role="frontend"\} 3$/m);
    assert.match(body, /^shoal_handshakes_total\{direction="in",result="ok",role="frontend"\} 2$/m);
    assert.match(body, /^shoal_ping_rtt_seconds_count\{role="frontend"\} 1$/m);
    assert.match(body, /^shoal_process_cpu_seconds_total\{role="frontend"\} /m); // default metrics, prefixed
  });

  it('passes other paths on, and refuses other methods', async () => {
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });
});

describe('a failing collection', { timeout: 10_000 }, () => {
  it('answers 500 and reports the error', async () => {
    const r = createMetricsRegistry({ defaultMetrics: false });
    new Gauge({
      name: 'shoal_broken',
      help: 'throws on collect',
      registers: [r],
      collect() {
        throw new Error('boom');
      },
    });
    const errors: MetricsError[] = [];
    const server = createServer(metricsHandler(r, { onError: (e) => errors.push(e) }));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      assert.equal(res.status, 500);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.code, 'METRICS_COLLECT_FAILED');
      assert.match(errors[0]?.message ?? '', /boom/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('metric definitions', { timeout: 10_000 }, () => {
  it('have unique shoal_ names and work in a registry without default metrics', async () => {
    const names = ALL_METRICS.map((m) => m.name);
    assert.equal(new Set(names).size, names.length);
    for (const n of names) assert.match(n, /^shoal_[a-z_]+$/);
    const r = createMetricsRegistry({ defaultMetrics: false });
    for (const def of ALL_METRICS) {
      if (def.kind === 'counter') metric(r, def);
      else if (def.kind === 'gauge') metric(r, def);
      else metric(r, def);
    }
    const text = await r.metrics();
    for (const n of names) assert.ok(text.includes(`# TYPE ${n} `), n);
    assert.ok(!text.includes('process_cpu'));
  });

  it('metric() returns the same instrument twice and refuses a kind mismatch', () => {
    const r = createMetricsRegistry({ defaultMetrics: false });
    assert.equal(metric(r, HANDSHAKES_TOTAL), metric(r, HANDSHAKES_TOTAL));
    const fake = { ...HANDSHAKES_TOTAL, kind: 'gauge' as const };
    assert.throws(
      () => metric(r, fake),
      (e: unknown) => e instanceof MetricsError && e.code === 'METRICS_KIND_MISMATCH',
    );
  });

  it('registries are independent (no global state)', async () => {
    const a = createMetricsRegistry({ defaultMetrics: false });
    const b = createMetricsRegistry({ defaultMetrics: false });
    metric(a, PEER_CONNECTIONS).labels('ready').set(1);
    assert.ok(!(await b.metrics()).includes('shoal_peer_connections'));
  });
});
