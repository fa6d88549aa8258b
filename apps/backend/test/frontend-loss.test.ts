import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Peer } from '../src/index.js';
import {
  api,
  clusterTls,
  hex,
  nodeId,
  startBackend,
  TestFrontend,
  THRESHOLD_MS,
  waitUntil,
} from './harness.js';

const CHILD = fileURLToPath(new URL('./fixtures/frontend-child.js', import.meta.url));

/** Resolves with the reason when `node`'s peer is marked disconnected, rejects after `ms`. */
function disconnectedWithin(tb: Awaited<ReturnType<typeof startBackend>>, node: Uint8Array, ms: number) {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peer not disconnected within ${ms} ms`)), ms);
    const on = (p: Peer, reason: string): void => {
      if (p.nodeIdHex !== hex(node)) return;
      clearTimeout(timer);
      tb.backend.switchboard.off('peer-disconnected', on);
      resolve(reason);
    };
    tb.backend.switchboard.on('peer-disconnected', on);
  });
}

describe('a frontend going away', { timeout: 60_000 }, () => {
  test('killed (SIGKILL): its peers are DISCONNECTED within the failure-detector threshold + 1 s', async (t) => {
    const tb = await startBackend();
    t.after(() => tb.stop());
    const tls = clusterTls();
    const node = nodeId(21);
    const child = fork(
      CHILD,
      [JSON.stringify({ seed: tb.backend.member.address, cert: tls.cert, key: tls.key, nodeId: hex(node) })],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const [msg] = (await once(child, 'message')) as [{ ev: string; address: string }];
    assert.equal(msg.ev, 'ready');
    await waitUntil(() => tb.backend.switchboard.get(node)?.state === 'CONNECTED', 5000, 'CONNECTED');
    assert.equal(tb.backend.switchboard.get(node)?.frontend, msg.address);
    const down = disconnectedWithin(tb, node, THRESHOLD_MS + 1000);
    child.kill('SIGKILL');
    const reason = await down;
    assert.match(reason, new RegExp(`frontend ${msg.address.replace(/\./g, '\\.')} (unreachable|removed)`));
    const peers = (await api(tb.url, 'peers')).body as { nodeId: string; state: string }[];
    assert.equal(peers.find((p) => p.nodeId === hex(node))?.state, 'DISCONNECTED');
    const metrics = await (await fetch(`${tb.url}/metrics`)).text();
    assert.match(metrics, /shoal_peer_disconnects_total\{cause="frontend_down",role="backend"\} 1/);
  });

  test('stopped: its peers are DISCONNECTED at once; peers on the other frontend stay', async (t) => {
    const tb = await startBackend();
    const fe1 = new TestFrontend(tb.backend.member.address);
    const fe2 = new TestFrontend(tb.backend.member.address);
    t.after(async () => {
      await fe2.stop();
      await tb.stop();
    });
    await Promise.all([fe1.start(), fe2.start()]);
    const a = nodeId(22);
    const b = nodeId(23);
    await fe1.connectPeer(a);
    await fe2.connectPeer(b);
    await waitUntil(
      () => tb.backend.switchboard.list().filter((p) => p.state === 'CONNECTED').length === 2,
      5000,
      'two CONNECTED',
    );
    const down = disconnectedWithin(tb, a, THRESHOLD_MS + 1000);
    await fe1.stop();
    await down;
    assert.equal(tb.backend.switchboard.get(b)?.state, 'CONNECTED');
    assert.equal(tb.backend.switchboard.get(a)?.state, 'DISCONNECTED');
  });
});
