import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import type { ConnectionRequest } from '@shoal/front-protocol';
import { api, hex, nodeId, startBackend, TestFrontend, waitUntil } from './harness.js';

/** The frontend side of a successful dial: the connection authenticates (outgoing) and gets ready. */
async function answerConnected(fe: TestFrontend, req: ConnectionRequest) {
  return fe.connectPeer(req.nodeId, {
    outgoing: true,
    requestId: req.requestId,
    remoteAddress: `${req.host}:${req.port}`,
  });
}

function answerFailed(fe: TestFrontend, req: ConnectionRequest, reason: string): void {
  fe.member.tell(
    req.replyTo,
    fe.proto.connectionFailed.of({ requestId: req.requestId, nodeId: req.nodeId, reason }),
  );
}

describe('outgoing connections', { timeout: 60_000 }, () => {
  test('connect: ConnectionRequest reaches the client-spawner; ready -> "connected"', async (t) => {
    const tb = await startBackend();
    const fe = new TestFrontend(tb.backend.member.address);
    t.after(async () => {
      await fe.stop();
      await tb.stop();
    });
    await fe.start(true);
    const node = nodeId(11);
    const call = api(tb.url, 'connect', { uri: `${hex(node)}@127.0.0.1:19735` });
    const req = await fe.spawnerInbox.take(fe.proto.connectionRequest);
    assert.equal(hex(req.nodeId), hex(node));
    assert.equal(req.host, '127.0.0.1');
    assert.equal(req.port, 19735);
    assert.equal(req.replyTo.path, '/user/switchboard');
    await answerConnected(fe, req);
    assert.deepEqual(await call, { status: 200, body: 'connected' });
    assert.deepEqual(await api(tb.url, 'connect', { uri: `${hex(node)}@127.0.0.1:19735` }), {
      status: 200,
      body: 'already connected',
    });
    // nodeId + host + port form, IPv6: the request carries the bare host.
    const node2 = nodeId(12);
    const call2 = api(tb.url, 'connect', { nodeId: hex(node2), host: '::1', port: '19736' });
    const req2 = await fe.spawnerInbox.take(fe.proto.connectionRequest);
    assert.equal(req2.host, '::1');
    assert.equal(req2.port, 19736);
    await answerConnected(fe, req2);
    assert.deepEqual(await call2, { status: 200, body: 'connected' });
    const stored = await tb.store.read((tx) => tx.peers.get(node2));
    assert.deepEqual(stored?.addresses, ['[::1]:19736']);
    assert.equal(typeof stored?.lastConnectedAt, 'number');
  });

  test('connect: ConnectionFailed fails the call with the frontend reason', async (t) => {
    const tb = await startBackend({ reconnect: { enabled: false } });
    const fe = new TestFrontend(tb.backend.member.address);
    t.after(async () => {
      await fe.stop();
      await tb.stop();
    });
    await fe.start(true);
    const node = nodeId(13);
    const call = api(tb.url, 'connect', { uri: `${hex(node)}@127.0.0.1:1` });
    const req = await fe.spawnerInbox.take(fe.proto.connectionRequest);
    answerFailed(fe, req, 'connect ECONNREFUSED 127.0.0.1:1');
    assert.deepEqual(await call, {
      status: 500,
      body: { error: 'connection failed: connect ECONNREFUSED 127.0.0.1:1' },
    });
    // A peer never connected is not kept (nor redialled).
    assert.equal(await tb.store.read((tx) => tx.peers.get(node)), undefined);
    const peers = (await api(tb.url, 'peers')).body as unknown[];
    assert.deepEqual(peers, []);
  });

  test('connect with no frontend: a clear FrontendUnavailable error', async (t) => {
    const tb = await startBackend({ reconnect: { enabled: false } });
    t.after(() => tb.stop());
    const node = nodeId(14);
    const r = await api(tb.url, 'connect', { uri: `${hex(node)}@127.0.0.1:9735` });
    assert.deepEqual(r, {
      status: 503,
      body: { error: `no frontend is available to connect to ${hex(node)}` },
    });
    // A connect without an address for a peer we know nothing about is refused too.
    const none = await api(tb.url, 'connect', { nodeId: hex(nodeId(15)) });
    assert.equal(none.status, 500);
    assert.match((none.body as { error: string }).error, /no known address/);
  });

  test('a persistent peer is reconnected with back-off after its connection drops', async (t) => {
    const tb = await startBackend({ reconnect: { initialDelayMs: 40, maxDelayMs: 320 } });
    const fe = new TestFrontend(tb.backend.member.address);
    t.after(async () => {
      await fe.stop();
      await tb.stop();
    });
    await fe.start(true);
    const node = nodeId(16);
    const call = api(tb.url, 'connect', { uri: `${hex(node)}@127.0.0.1:29735` });
    const first = await answerConnected(fe, await fe.spawnerInbox.take(fe.proto.connectionRequest));
    assert.equal((await call).body, 'connected');
    const scheduled: { attempt: number; delayMs: number }[] = [];
    tb.backend.reconnector.on('scheduled', (e) => scheduled.push(e));
    // The connection drops: the backend asks again, and again after each failure, backing off.
    fe.member.tell(
      first.peer,
      fe.proto.connectionClosed.of({ connection: first.ref, nodeId: node, reason: 'peer went away' }),
      first.ref,
    );
    for (let i = 0; i < 4; i++) {
      const req = await fe.spawnerInbox.take(fe.proto.connectionRequest);
      assert.equal(hex(req.nodeId), hex(node));
      assert.equal(req.port, 29735);
      answerFailed(fe, req, `attempt ${i} refused`);
    }
    const again = await fe.spawnerInbox.take(fe.proto.connectionRequest);
    await answerConnected(fe, again);
    await waitUntil(() => tb.backend.switchboard.get(node)?.state === 'CONNECTED', 5000, 'reconnected');
    assert.deepEqual(
      scheduled.map((s) => s.attempt),
      [0, 1, 2, 3, 4],
    );
    // Jittered exponential back-off: attempt n waits within (base/2, base], base = 40 * 2^n capped at 320.
    for (const s of scheduled) {
      const base = Math.min(320, 40 * 2 ** s.attempt);
      assert.ok(s.delayMs <= base && s.delayMs >= (s.attempt === 0 ? 1 : base / 2), JSON.stringify(s));
    }
    // Connected again: no further request is scheduled.
    assert.equal(scheduled.length, 5);
  });

  test('persistent peers are reconnected after a backend restart, from the store', async (t) => {
    const tb1 = await startBackend();
    const fe1 = new TestFrontend(tb1.backend.member.address);
    await fe1.start(true);
    const node = nodeId(17);
    const call = api(tb1.url, 'connect', { uri: `${hex(node)}@127.0.0.1:39735` });
    await answerConnected(fe1, await fe1.spawnerInbox.take(fe1.proto.connectionRequest));
    assert.equal((await call).body, 'connected');
    await fe1.stop();
    await tb1.stop(true);

    const tb2 = await startBackend({ dir: tb1.dir });
    const fe2 = new TestFrontend(tb2.backend.member.address);
    t.after(async () => {
      await fe2.stop();
      await tb2.stop();
    });
    // Known from the store before any frontend is up.
    const peers = (await api(tb2.url, 'peers')).body as { nodeId: string; state: string }[];
    assert.deepEqual(peers, [{ nodeId: hex(node), state: 'DISCONNECTED', channels: 0 }]);
    const ready = once(tb2.backend.switchboard, 'peer-ready');
    await fe2.start(true);
    const req = await fe2.spawnerInbox.take(fe2.proto.connectionRequest, 10_000);
    assert.equal(hex(req.nodeId), hex(node));
    assert.equal(`${req.host}:${req.port}`, '127.0.0.1:39735');
    await answerConnected(fe2, req);
    await ready;
    // disconnect makes it non-persistent: not reconnected, gone from the store.
    assert.equal((await api(tb2.url, 'disconnect', { nodeId: hex(node) })).status, 200);
    assert.equal(await tb2.store.read((tx) => tx.peers.get(node)), undefined);
  });

  test('a frontend coming up resets a back-off that grew while none was there', async (t) => {
    const tb1 = await startBackend();
    const fe1 = new TestFrontend(tb1.backend.member.address);
    await fe1.start(true);
    const node = nodeId(18);
    const call = api(tb1.url, 'connect', { uri: `${hex(node)}@127.0.0.1:49735` });
    await answerConnected(fe1, await fe1.spawnerInbox.take(fe1.proto.connectionRequest));
    assert.equal((await call).body, 'connected');
    await fe1.stop();
    await tb1.stop(true);
    // Restarted with a long maximum: without a frontend the delays grow towards it.
    const tb2 = await startBackend({ dir: tb1.dir, reconnect: { initialDelayMs: 20, maxDelayMs: 600_000 } });
    const fe2 = new TestFrontend(tb2.backend.member.address);
    t.after(async () => {
      await fe2.stop();
      await tb2.stop();
    });
    const scheduled: { attempt: number; delayMs: number }[] = [];
    tb2.backend.reconnector.on('scheduled', (e) => scheduled.push(e));
    await waitUntil(() => scheduled.some((s) => s.attempt >= 4), 10_000, 'four failed attempts');
    const before = scheduled.length;
    await fe2.start(true);
    const req = await fe2.spawnerInbox.take(fe2.proto.connectionRequest, 10_000);
    assert.equal(hex(req.nodeId), hex(node));
    // The frontend's arrival rescheduled the peer from attempt 0 (a delay of at most 20 ms).
    // (Without the reset, attempt 0 never comes back before the peer is connected.)
    const after = scheduled.slice(before);
    assert.ok(
      after.some((s) => s.attempt === 0 && s.delayMs <= 20),
      JSON.stringify(after),
    );
    await answerConnected(fe2, req);
    await waitUntil(() => tb2.backend.switchboard.get(node)?.state === 'CONNECTED', 5000, 'CONNECTED');
  });
});
