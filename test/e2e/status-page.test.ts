// Issue 8, live status page: a real backend and two real frontends; the page and its event stream
// over HTTP, then in headless Chromium (Debian `chromium` driven by playwright-core): a frontend
// killed with SIGKILL shows up as unreachable/removed on the open page without a reload.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { stopAll, withTimeout } from '../lib/processes.js';
import {
  type BackendProcess,
  type FrontendProcess,
  makeTestNode,
  ROOT,
  startBackend,
  startFrontend,
  type TestNode,
} from '../lib/shoal.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Member {
  address: string;
  roles: string[];
  status: string;
  protocolVersion: number;
  leader?: boolean;
}

/** Reads the event stream until its first complete event; returns the event name and parsed data. */
async function firstEvent(
  url: string,
  auth: string,
): Promise<{ event: string; data: unknown; type: string }> {
  const ctl = new AbortController();
  try {
    const res = await fetch(url, { headers: { authorization: auth }, signal: ctl.signal });
    assert.equal(res.status, 200);
    const type = res.headers.get('content-type') ?? '';
    assert.ok(res.body, 'the stream has a body');
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      assert.ok(!done, `the stream ended before an event; got ${JSON.stringify(text)}`);
      text += decoder.decode(value, { stream: true });
      for (const frame of text.split('\n\n').slice(0, -1)) {
        const lines = frame.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (event !== undefined && data !== undefined) return { event, data: JSON.parse(data), type };
      }
    }
  } finally {
    ctl.abort();
  }
}

describe('live status page', { timeout: 180_000 }, () => {
  let node: TestNode;
  let backend: BackendProcess;
  let fronts: FrontendProcess[];
  let base: string;
  let auth: string;
  let profile: string | undefined;
  let context: BrowserContext | undefined;

  before(async () => {
    node = await makeTestNode();
    backend = await startBackend(node);
    fronts = [
      await startFrontend('front1', node, backend.clusterPort),
      await startFrontend('front2', node, backend.clusterPort),
    ];
    base = `http://127.0.0.1:${backend.apiPort}`;
    auth = `Basic ${Buffer.from(`:${node.apiPassword}`).toString('base64')}`;
  });

  after(async () => {
    await context?.close();
    await stopAll();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    node?.cleanup();
  });

  it('1. without the API password: 401 with a basic-auth challenge, for the page and the stream', async () => {
    for (const path of ['/status', '/status/events']) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 401, path);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
      await res.text();
    }
    const wrong = await fetch(`${base}/status`, {
      headers: { authorization: `Basic ${Buffer.from(':nope').toString('base64')}` },
    });
    assert.equal(wrong.status, 401);
    await wrong.text();
  });

  it('2. with it: a self-contained HTML page, and an event stream whose first event is a snapshot listing both frontends', async () => {
    const page = await fetch(`${base}/status`, { headers: { authorization: auth } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<script>/);
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/, 'no external assets');
    assert.match(html, /\/status\/events/);

    const first = await withTimeout(
      firstEvent(`${base}/status/events`, auth),
      10_000,
      'no snapshot within 10 s',
    );
    assert.match(first.type, /^text\/event-stream/);
    assert.equal(first.event, 'snapshot');
    const snap = first.data as {
      reason: string;
      self: string;
      members: Member[];
      gossip: unknown;
      channels: { count: number };
      chain: { height: number };
    };
    assert.equal(snap.reason, 'connect');
    for (const f of fronts) {
      const m = snap.members.find((x) => x.address === `127.0.0.1:${f.clusterPort}`);
      assert.ok(m, `${f.name} is listed: ${JSON.stringify(snap.members)}`);
      assert.deepEqual([m.roles.includes('frontend'), m.status], [true, 'up']);
      assert.ok(m.protocolVersion > 0);
    }
    const self = snap.members.find((x) => x.address === snap.self);
    assert.equal(self?.leader, true, 'this backend leads');
    // The gossip Router runs: an empty graph, and no sync pending (progress 1).
    assert.deepEqual(snap.gossip, { nodes: 0, channels: 0, syncProgress: 1 });
    assert.equal(snap.channels.count, 0);
    assert.equal(typeof snap.chain.height, 'number');
  });

  it('3. in headless Chromium: both frontends up; after kill -9 of one, the open page shows it unreachable/removed', async () => {
    profile = mkdtempSync(join(tmpdir(), 'shoal-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      httpCredentials: { username: 'shoal', password: node.apiPassword },
      timeout: 30_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    await page.goto(`${base}/status`, { timeout: 15_000 });
    const row = (f: FrontendProcess) => `#members tr[data-address="127.0.0.1:${f.clusterPort}"]`;
    for (const f of fronts) await page.waitForSelector(`${row(f)}[data-status="up"]`);
    assert.equal(await page.textContent('#gossip'), '0 nodes, 0 channels');
    assert.equal(await page.textContent('#sync'), '100%');
    assert.match((await page.textContent('#leader')) ?? '', /this backend/);
    // A marker that a reload would lose: the change must arrive over the open event stream.
    await page.evaluate('globalThis.shoalMarker = 42');

    const [victim, survivor] = fronts as [FrontendProcess, FrontendProcess];
    victim.proc.kill('SIGKILL');
    await victim.proc.exited(5_000);
    await page.waitForSelector(
      `${row(victim)}:is([data-status="unreachable"], [data-status="down"], [data-status="removed"])`,
      { timeout: 20_000 },
    );
    assert.equal(await page.evaluate('globalThis.shoalMarker'), 42);
    assert.equal(await page.getAttribute(row(survivor), 'data-status'), 'up');

    const dir = join(ROOT, 'test/artifacts');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'status-page.png'), fullPage: true, timeout: 10_000 });
  });
});
