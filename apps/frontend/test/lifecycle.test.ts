import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { encodeMessage } from '@shoal/wire';
import {
  type FrontendHandle,
  freePort,
  OUR_FEATURES,
  REGTEST,
  startFrontend,
  TestBackend,
  TestPeer,
  waitReady,
} from './harness.js';

const init = encodeMessage({
  type: 'init',
  globalFeatures: new Uint8Array(0),
  features: OUR_FEATURES,
  tlvs: { networks: [REGTEST], unknown: [] },
});

async function readyPeer(backend: TestBackend, fe: FrontendHandle): Promise<TestPeer> {
  const peer = await TestPeer.connect(fe.frontend.port, fe.key.publicKey);
  await peer.take(16);
  peer.write(init);
  await backend.waitFor(backend.proto.connectionReady, (v) =>
    Buffer.from(v.nodeId).equals(peer.socket.localPublicKey),
  );
  return peer;
}

describe('frontend lifecycle', { timeout: 90_000 }, () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('closes a connection whose pong does not come within the ping timeout', {
    timeout: 15_000,
  }, async () => {
    const backend = new TestBackend(await freePort());
    await backend.start();
    cleanup.push(() => backend.stop());
    const fe = await startFrontend(backend.port, {
      timeouts: { initTimeoutMs: 3000, pingIntervalMs: 100, pingTimeoutMs: 300 },
    });
    cleanup.push(fe.stop);
    await waitReady(fe.frontend);
    const peer = await readyPeer(backend, fe);
    await peer.take(18); // the frontend's ping, left unanswered
    await peer.waitClosed();
    const closed = await backend.waitFor(backend.proto.connectionClosed);
    assert.equal(closed.reason, 'ping timeout');
  });

  it('answers pings with pongs and records the round trip', { timeout: 15_000 }, async () => {
    const backend = new TestBackend(await freePort());
    await backend.start();
    cleanup.push(() => backend.stop());
    const fe = await startFrontend(backend.port, {
      timeouts: { initTimeoutMs: 3000, pingIntervalMs: 100, pingTimeoutMs: 2000 },
    });
    cleanup.push(fe.stop);
    await waitReady(fe.frontend);
    const peer = await readyPeer(backend, fe);
    for (let i = 0; i < 3; i++) {
      const ping = await peer.take(18);
      const n = ping.readUInt16BE(2);
      peer.write(encodeMessage({ type: 'pong', ignored: new Uint8Array(n), tlvs: { unknown: [] } }));
    }
    assert.equal(peer.closed, false);
    const metrics = await (await fetch(`http://127.0.0.1:${fe.frontend.httpPort}/metrics`)).text();
    assert.match(metrics, /shoal_ping_rtt_seconds_count [1-9]/);
    peer.destroy();
    await backend.waitFor(backend.proto.connectionClosed);
  });

  it('closes a connection whose peer sends no init within the init timeout', {
    timeout: 15_000,
  }, async () => {
    const backend = new TestBackend(await freePort());
    await backend.start();
    cleanup.push(() => backend.stop());
    const fe = await startFrontend(backend.port, {
      timeouts: { initTimeoutMs: 200, pingIntervalMs: 60_000, pingTimeoutMs: 10_000 },
    });
    cleanup.push(fe.stop);
    await waitReady(fe.frontend);
    // The peer never sends init.
    const peer = await TestPeer.connect(fe.frontend.port, fe.key.publicKey);
    await peer.waitClosed();
    const closed = await backend.waitFor(backend.proto.connectionClosed);
    assert.equal(closed.reason, 'init timeout');
  });

  it('on backend loss: not ready at once, connections closed, new ones refused; ready again when it is back', {
    timeout: 40_000,
  }, async () => {
    const port = await freePort();
    const backend = new TestBackend(port);
    await backend.start();
    const fe = await startFrontend(port);
    cleanup.push(fe.stop);
    await waitReady(fe.frontend);
    const base = `http://127.0.0.1:${fe.frontend.httpPort}`;
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    const peer = await readyPeer(backend, fe);

    const notReady = once(fe.frontend, 'not-ready');
    await backend.stop();
    await notReady;
    const r = await fetch(`${base}/ready`);
    assert.equal(r.status, 503);
    assert.equal(((await r.json()) as { ready: boolean }).ready, false);
    await peer.waitClosed();
    assert.equal(fe.frontend.connectionCount, 0);
    // A new peer's BOLT 8 handshake cannot complete: the socket is closed right after accept.
    await assert.rejects(TestPeer.connect(fe.frontend.port, fe.key.publicKey), { name: 'NoiseError' });
    assert.equal((await fetch(`${base}/health`)).status, 200, 'the process stays up');

    // A new backend incarnation on the same address: the frontend re-registers by itself.
    const again = new TestBackend(port);
    await again.start();
    cleanup.push(() => again.stop());
    await waitReady(fe.frontend);
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    const peer2 = await readyPeer(again, fe);
    assert.equal(peer2.closed, false);
  });

  it('goes not-ready when the switchboard is unregistered while the backend member stays up', {
    timeout: 15_000,
  }, async () => {
    const backend = new TestBackend(await freePort());
    await backend.start();
    cleanup.push(() => backend.stop());
    const fe = await startFrontend(backend.port);
    cleanup.push(fe.stop);
    await waitReady(fe.frontend);
    const peer = await readyPeer(backend, fe);
    const notReady = once(fe.frontend, 'not-ready');
    backend.member.mediator.remove('/backend/switchboard');
    const [reason] = (await notReady) as [string];
    assert.match(reason, /switchboard/);
    await peer.waitClosed();
    backend.member.mediator.put('/backend/switchboard', backend.ref!);
    await waitReady(fe.frontend);
  });
});
