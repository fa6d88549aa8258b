// Issue 8 monitoring: the Grafana dashboard only uses metrics that a real backend and a real
// frontend export, and both serve /metrics where deploy/prometheus/prometheus.yml scrapes them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestPeer } from '../lib/peer.js';
import { eventually, stopAll } from '../lib/processes.js';
import { type Family, familyOf, parseExposition, promqlMetricNames } from '../lib/promql.js';
import {
  type BackendProcess,
  type FrontendProcess,
  makeTestNode,
  ROOT,
  startBackend,
  startFrontend,
  type TestNode,
} from '../lib/shoal.js';

/** Series Prometheus makes itself for every target (not in any /metrics output). */
const SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

interface Panel {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

interface Dashboard {
  uid?: string;
  title?: string;
  panels?: Panel[];
  templating?: { list?: { name?: string; type?: string; query?: string | { query?: string } }[] };
}

function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/shoal-dashboard.json'), 'utf8')) as Dashboard;
}

/** Every panel, rows' nested panels included. */
function allPanels(panels: Panel[] = []): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels)]);
}

/** Every PromQL expression of the dashboard, with where it comes from. */
function dashboardExpressions(d: Dashboard): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const p of allPanels(d.panels)) {
    for (const t of p.targets ?? []) {
      if (t.expr !== undefined) out.push({ where: `panel "${p.title}"`, expr: t.expr });
    }
  }
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    // label_values(selector, label): only the selector is PromQL.
    const lv = /^label_values\((.*),\s*\w+\)$/.exec(q.trim());
    out.push({ where: `variable $${v.name}`, expr: lv?.[1] ?? q });
  }
  return out;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url} answered ${res.status}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return res.text();
}

describe('monitoring: Prometheus scrape targets and the Grafana dashboard', { timeout: 120_000 }, () => {
  let node: TestNode;
  let backend: BackendProcess;
  let front: FrontendProcess;
  const peer = new TestPeer();
  let backText = '';
  let frontText = '';

  before(async () => {
    node = await makeTestNode();
    backend = await startBackend(node);
    front = await startFrontend('front1', node, backend.clusterPort);
    await peer.connect('127.0.0.1', front.port, node.nodeId);
    await peer.exchangeInit();
    await peer.ping(4);
  });

  after(async () => {
    peer.close();
    await stopAll();
    node?.cleanup();
  });

  it('the PromQL name extraction finds selectors and skips functions, labels, ranges and keywords', () => {
    assert.deepEqual(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le, instance) (rate(a_seconds_bucket{role="frontend",x=~"b|c"}[$__rate_interval]))) / on(instance) group_left b_total offset 5m > 1e3',
      ).sort(),
      ['a_seconds_bucket', 'b_total'],
    );
    assert.deepEqual(promqlMetricNames('sum without (type) (increase(c[1h])) and d'), ['c', 'd']);
  });

  it('the backend (API port) and the frontend (front.http-port) serve /metrics with their role and the peer counted', async () => {
    frontText = await eventually('frontend counts the peer as ready', async () => {
      const text = await scrape(`http://127.0.0.1:${front.httpPort}/metrics`);
      return /^shoal_peer_connections\{[^}]*state="ready"[^}]*\} 1$/m.test(text) ? text : undefined;
    });
    backText = await eventually('backend counts the peer as connected', async () => {
      const text = await scrape(`http://127.0.0.1:${backend.apiPort}/metrics`);
      return /^shoal_peer_connections\{[^}]*state="ready"[^}]*\} 1$/m.test(text) ? text : undefined;
    });
    const has = (text: string, re: RegExp, what: string) => assert.ok(re.test(text), what);
    has(
      frontText,
      /^shoal_handshakes_total\{[^}]*direction="in"[^}]*result="ok"[^}]*\} [1-9]/m,
      'handshake counted',
    );
    has(frontText, /^shoal_messages_total\{[^}]*type="init"[^}]*direction="in"[^}]*\} 1$/m, 'init counted');
    has(frontText, /^shoal_peer_connections\{[^}]*role="frontend"/m, 'frontend series carry role');
    has(backText, /^shoal_peer_connections\{[^}]*role="backend"/m, 'backend series carry role');
    // Each side counts the other members (itself excluded): the frontend sees the backend and back.
    for (const [who, text] of [
      ['backend', backText],
      ['frontend', frontText],
    ] as const) {
      has(text, /^shoal_cluster_members\{[^}]*status="up"[^}]*\} 1$/m, `${who} sees one other member up`);
      has(text, /^shoal_cluster_links\{[^}]*\} 1$/m, `${who} has one mesh link`);
    }
  });

  it('every metric used by a dashboard panel or variable is exported by the backend or the frontend', () => {
    assert.ok(frontText && backText, 'the scrape test ran first');
    const front = parseExposition(frontText);
    const back = parseExposition(backText);
    const d = loadDashboard();
    const exprs = dashboardExpressions(d);
    assert.ok(exprs.length >= 15, `the dashboard has ${exprs.length} expressions`);
    const missing: string[] = [];
    const used = new Set<string>();
    for (const { where, expr } of exprs) {
      const names = promqlMetricNames(expr);
      assert.ok(names.length > 0, `${where}: no metric in ${expr}`);
      for (const name of names) {
        used.add(name);
        if (SYNTHETIC.has(name)) continue;
        const family: Family | undefined = familyOf(front, name) ?? familyOf(back, name);
        if (family === undefined) missing.push(`${where}: ${name}`);
      }
    }
    assert.deepEqual(missing, [], 'metrics the dashboard uses but no process exports');
    for (const required of [
      'shoal_peer_connections',
      'shoal_handshakes_total',
      'shoal_messages_total',
      'shoal_cluster_members',
      'shoal_cluster_link_queue_bytes',
    ]) {
      assert.ok(used.has(required), `the dashboard uses ${required}`);
    }
  });

  it('the dashboard is importable: unique panel ids, a datasource variable, every panel with a query', () => {
    const d = loadDashboard();
    assert.ok(d.uid && d.title);
    const panels = allPanels(d.panels);
    const ids = panels.map((p) => (p as { id?: number }).id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    assert.ok(d.templating?.list?.some((v) => v.type === 'datasource'));
    for (const p of panels) {
      if (p.type === 'row') continue;
      assert.ok((p.targets ?? []).length > 0, `panel "${p.title}" has a query`);
    }
  });

  it('prometheus.yml scrapes /metrics for each role the dashboard filters on', () => {
    const yml = readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8');
    const roles = new Set(
      dashboardExpressions(loadDashboard()).flatMap((e) =>
        [...e.expr.matchAll(/role="(\w+)"/g)].map((m) => m[1]),
      ),
    );
    assert.deepEqual([...roles].sort(), ['backend', 'frontend']);
    for (const role of roles) assert.match(yml, new RegExp(`^\\s+role: ${role}$`, 'm'));
    assert.equal([...yml.matchAll(/^\s+metrics_path: \/metrics$/gm)].length, 2);
    // The processes label their own series: the dashboard's filters work even without relabelling.
    assert.match(frontText, /role="frontend"/);
    assert.match(backText, /role="backend"/);
  });
});
