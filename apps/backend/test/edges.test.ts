import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '@shoal/log';
import { Reconnector } from '../src/index.js';
import {
  api,
  hex,
  nodeId,
  REMOTE_INIT,
  startBackend,
  type TestBackend,
  TestFrontend,
  waitUntil,
} from './harness.js';

describe('Reconnector delays', () => {
  const make = (r: number) =>
    new Reconnector(
      { logger: silentLogger, attempt: async () => {} },
      { enabled: true, initialDelayMs: 1000, maxDelayMs: 10_000, random: () => r },
    );

  test('first delay in (0, initial], then doubling with jitter in [d/2, d], capped', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((n) => make(0).delayFor(n)),
      [1000, 1000, 2000, 4000, 5000, 5000],
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((n) => make(0.999999).delayFor(n)),
      [1, 2000, 4000, 8000, 10_000, 10_000],
    );
  });

  test('disabled: nothing is scheduled', () => {
    const r = new Reconnector(
      { logger: silentLogger, attempt: async () => assert.fail('no attempt expected') },
      { enabled: false, initialDelayMs: 1, maxDelayMs: 1 },
    );
    let n = 0;
    r.on('scheduled', () => n++);
    r.disconnected('00');
    r.stop();
    assert.equal(n, 0);
  });
});

describe('connection edge cases', { timeout: 60_000 }, () => {
  let tb: TestBackend;
  let fe: TestFrontend;

  before(async () => {
    tb = await startBackend({ reconnect: { enabled: false } });
    fe = new TestFrontend(tb.backend.member.address);
    await fe.start(true);
  });

  after(async () => {
    await fe?.stop();
    await tb?.stop();
  });

  test('ConnectionClosed sent to the switchboard (before ready) drops that connection', async () => {
    const node = nodeId(31);
    const c = fe.connection();
    const auth = {
      connection: c.ref,
      nodeId: node,
      remoteAddress: '127.0.0.1:1',
      outgoing: false,
      requestId: 0n,
    };
    fe.member.mediator.send('/backend/switchboard', fe.proto.peerAuthenticated.of(auth), { sender: c.ref });
    await c.inbox.take(fe.proto.initializeConnection);
    assert.equal(tb.backend.switchboard.get(node)?.frontend, fe.member.address);
    fe.member.mediator.send(
      '/backend/switchboard',
      fe.proto.connectionClosed.of({ connection: c.ref, nodeId: node, reason: 'init timeout' }),
      { sender: c.ref },
    );
    await waitUntil(
      () => tb.backend.switchboard.get(node)?.frontend === undefined,
      5000,
      'connection dropped',
    );
    assert.equal(tb.backend.switchboard.get(node)?.state, 'DISCONNECTED');
  });

  test('a late ConnectionReady from a replaced connection is closed and changes nothing', async () => {
    const node = nodeId(32);
    const older = fe.connection();
    const newer = fe.connection();
    for (const c of [older, newer]) {
      fe.member.mediator.send(
        '/backend/switchboard',
        fe.proto.peerAuthenticated.of({
          connection: c.ref,
          nodeId: node,
          remoteAddress: '127.0.0.1:2',
          outgoing: false,
          requestId: 0n,
        }),
        { sender: c.ref },
      );
    }
    const init = await older.inbox.take(fe.proto.initializeConnection);
    assert.equal((await older.inbox.take(fe.proto.closeConnection)).reason, 'replaced by a newer connection');
    await newer.inbox.take(fe.proto.initializeConnection);
    fe.member.tell(
      init.peer,
      fe.proto.connectionReady.of({ connection: older.ref, nodeId: node, remoteInit: REMOTE_INIT }),
      older.ref,
    );
    assert.equal((await older.inbox.take(fe.proto.closeConnection)).reason, 'replaced by a newer connection');
    assert.equal(tb.backend.switchboard.get(node)?.state, 'DISCONNECTED');
    fe.member.tell(
      init.peer,
      fe.proto.connectionReady.of({ connection: newer.ref, nodeId: node, remoteInit: REMOTE_INIT }),
      newer.ref,
    );
    await waitUntil(() => tb.backend.switchboard.get(node)?.state === 'CONNECTED', 5000, 'newer CONNECTED');
  });

  test('an outgoing connection closing before it is ready fails the connect call with its reason', async () => {
    const node = nodeId(33);
    const call = api(tb.url, 'connect', { uri: `${hex(node)}@127.0.0.1:3` });
    const req = await fe.spawnerInbox.take(fe.proto.connectionRequest);
    const c = fe.connection();
    fe.member.mediator.send(
      '/backend/switchboard',
      fe.proto.peerAuthenticated.of({
        connection: c.ref,
        nodeId: node,
        remoteAddress: '127.0.0.1:3',
        outgoing: true,
        requestId: req.requestId,
      }),
      { sender: c.ref },
    );
    const init = await c.inbox.take(fe.proto.initializeConnection);
    fe.member.tell(
      init.peer,
      fe.proto.connectionClosed.of({
        connection: c.ref,
        nodeId: node,
        reason: 'peer networks do not match ours',
      }),
      c.ref,
    );
    assert.deepEqual(await call, {
      status: 500,
      body: { error: 'connection failed: peer networks do not match ours' },
    });
  });

  test('connect gives up with 408 at its timeoutSeconds', async () => {
    const node = nodeId(34);
    const call = api(tb.url, 'connect', { uri: `${hex(node)}@127.0.0.1:4`, timeoutSeconds: '1' });
    await fe.spawnerInbox.take(fe.proto.connectionRequest);
    // The frontend never answers.
    assert.deepEqual(await call, { status: 408, body: { error: 'request timed out' } });
  });
});

describe('disconnected peers', { timeout: 60_000 }, () => {
  test('beyond maxIdlePeers the oldest disconnected non-persistent peer is forgotten', async (t) => {
    const tb = await startBackend({ maxIdlePeers: 2 });
    const fe = new TestFrontend(tb.backend.member.address);
    t.after(async () => {
      await fe.stop();
      await tb.stop();
    });
    await fe.start();
    const nodes = [nodeId(41), nodeId(42), nodeId(43)];
    for (const node of nodes) {
      const c = await fe.connectPeer(node);
      await waitUntil(() => tb.backend.switchboard.get(node)?.state === 'CONNECTED', 5000, 'CONNECTED');
      fe.member.tell(
        c.peer,
        fe.proto.connectionClosed.of({ connection: c.ref, nodeId: node, reason: 'bye' }),
        c.ref,
      );
      await waitUntil(() => tb.backend.switchboard.get(node)?.state === 'DISCONNECTED', 5000, 'DISCONNECTED');
    }
    const listed = ((await api(tb.url, 'peers')).body as { nodeId: string }[]).map((p) => p.nodeId);
    assert.deepEqual(listed, [hex(nodes[1]!), hex(nodes[2]!)]);
    // The forgotten node connects again: a fresh Peer (same actor name) serves it.
    await fe.connectPeer(nodes[0]!);
    await waitUntil(
      () => tb.backend.switchboard.get(nodes[0]!)?.state === 'CONNECTED',
      5000,
      'CONNECTED again',
    );
  });
});
