import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MESH_PROTOCOL_VERSION } from '@shoal/front-protocol';
import { decodeMessage, encodeMessage } from '@shoal/wire';
import { CHANNELS_UNSUPPORTED, OUR_INIT_FEATURES } from '../src/index.js';
import {
  api,
  hex,
  nodeId,
  REGTEST,
  startBackend,
  type TestBackend,
  TestFrontend,
  waitUntil,
} from './harness.js';

/** BOLT 2 `open_channel` bytes: type 32, chain_hash, temporary_channel_id, then zeroes (enough for the test). */
function openChannel(temporaryChannelId: Uint8Array): Uint8Array {
  const m = Buffer.alloc(2 + 32 + 32 + 200);
  m.writeUInt16BE(32, 0);
  REGTEST.copy(m, 2);
  Buffer.from(temporaryChannelId).copy(m, 34);
  return m;
}

type PeerJson = { nodeId: string; state: string; address?: string; frontend?: string };

async function peerState(tb: TestBackend, node: Uint8Array): Promise<PeerJson | undefined> {
  const r = await api(tb.url, 'peers');
  assert.equal(r.status, 200);
  return (r.body as PeerJson[]).find((p) => p.nodeId === hex(node));
}

describe('switchboard and peers', { timeout: 60_000 }, () => {
  let tb: TestBackend;
  let fe1: TestFrontend;
  let fe2: TestFrontend;

  before(async () => {
    tb = await startBackend();
    fe1 = new TestFrontend(tb.backend.member.address);
    fe2 = new TestFrontend(tb.backend.member.address);
    await Promise.all([fe1.start(), fe2.start()]);
  });

  after(async () => {
    await fe1?.stop();
    await fe2?.stop();
    await tb?.stop();
  });

  test('PeerAuthenticated is answered with InitializeConnection (our features, regtest chain hash)', async () => {
    const c = fe1.connection();
    fe1.member.mediator.send(
      '/backend/switchboard',
      fe1.proto.peerAuthenticated.of({
        connection: c.ref,
        nodeId: nodeId(1),
        remoteAddress: '127.0.0.1:40000',
        outgoing: false,
        requestId: 0n,
      }),
      { sender: c.ref },
    );
    const init = await c.inbox.take(fe1.proto.initializeConnection);
    assert.deepEqual(Buffer.from(init.features), Buffer.from(OUR_INIT_FEATURES.toBytes()));
    assert.deepEqual(init.chainHashes.map(hex), [hex(REGTEST)]);
    assert.equal(init.doSync, false);
    assert.equal(init.peer.address, tb.backend.member.address);
    // Authenticated but not ready: not CONNECTED yet.
    assert.equal((await peerState(tb, nodeId(1)))?.state, 'DISCONNECTED');
  });

  test('ConnectionReady: peers shows CONNECTED with its address and frontend', async () => {
    await fe1.connectPeer(nodeId(2), { remoteAddress: '127.0.0.1:40002' });
    await waitUntil(() => tb.backend.switchboard.get(nodeId(2))?.state === 'CONNECTED', 5000, 'CONNECTED');
    const p = await peerState(tb, nodeId(2));
    assert.deepEqual(p, {
      nodeId: hex(nodeId(2)),
      state: 'CONNECTED',
      address: '127.0.0.1:40002',
      channels: 0,
      frontend: fe1.member.address,
    });
  });

  test('a newer connection on another frontend replaces the older; the older closing changes nothing', async () => {
    const node = nodeId(3);
    const old = await fe1.connectPeer(node);
    await waitUntil(() => tb.backend.switchboard.get(node)?.state === 'CONNECTED', 5000, 'first CONNECTED');
    const newer = await fe2.connectPeer(node, { remoteAddress: '127.0.0.1:40033' });
    const close = await old.inbox.take(fe1.proto.closeConnection);
    assert.equal(close.reason, 'replaced by a newer connection');
    await waitUntil(
      () => tb.backend.switchboard.get(node)?.frontend === fe2.member.address,
      5000,
      'new frontend',
    );
    await waitUntil(() => tb.backend.switchboard.get(node)?.state === 'CONNECTED', 5000, 'second CONNECTED');
    // The replaced connection reports it closed: the peer must stay connected through fe2.
    fe1.member.tell(
      old.peer,
      fe1.proto.connectionClosed.of({ connection: old.ref, nodeId: node, reason: 'closed by the backend' }),
      old.ref,
    );
    // A message on the new connection after the old one's close proves the close was processed first.
    fe2.member.tell(
      newer.peer,
      fe2.proto.peerMessage.of({ connection: newer.ref, message: openChannel(Buffer.alloc(32, 9)) }),
      newer.ref,
    );
    await newer.inbox.take(fe2.proto.sendToPeer);
    const p = await peerState(tb, node);
    assert.equal(p?.state, 'CONNECTED');
    assert.equal(p?.frontend, fe2.member.address);
    assert.equal(p?.address, '127.0.0.1:40033');
    assert.equal(old.inbox.count(fe1.proto.closeConnection), 0, 'one CloseConnection only');
  });

  test('open_channel is answered with an error for its temporary_channel_id', async () => {
    const c = await fe1.connectPeer(nodeId(4));
    const tmp = Buffer.alloc(32, 0xab);
    fe1.member.tell(
      c.peer,
      fe1.proto.peerMessage.of({ connection: c.ref, message: openChannel(tmp) }),
      c.ref,
    );
    const out = await c.inbox.take(fe1.proto.sendToPeer);
    assert.equal(out.messages.length, 1);
    const m = decodeMessage(out.messages[0]!);
    assert.equal(m.type, 'error');
    if (m.type !== 'error') return;
    assert.deepEqual(Buffer.from(m.channelId), tmp);
    assert.equal(Buffer.from(m.data).toString(), CHANNELS_UNSUPPORTED);
    // Round trip of our own encoding, so the bytes are a valid BOLT 1 error.
    assert.deepEqual(Buffer.from(encodeMessage(m)), Buffer.from(out.messages[0]!));
  });

  test('ConnectionClosed of the current connection marks the peer DISCONNECTED', async () => {
    const node = nodeId(5);
    const c = await fe1.connectPeer(node);
    await waitUntil(() => tb.backend.switchboard.get(node)?.state === 'CONNECTED', 5000, 'CONNECTED');
    fe1.member.tell(
      c.peer,
      fe1.proto.connectionClosed.of({ connection: c.ref, nodeId: node, reason: 'peer closed' }),
      c.ref,
    );
    await waitUntil(() => tb.backend.switchboard.get(node)?.state === 'DISCONNECTED', 5000, 'DISCONNECTED');
    const p = await peerState(tb, node);
    assert.deepEqual(p, { nodeId: hex(node), state: 'DISCONNECTED', channels: 0 });
  });

  test('disconnect closes the connection; an unknown peer is a 404', async () => {
    const node = nodeId(6);
    const c = await fe2.connectPeer(node);
    await waitUntil(() => tb.backend.switchboard.get(node)?.state === 'CONNECTED', 5000, 'CONNECTED');
    const r = await api(tb.url, 'disconnect', { nodeId: hex(node) });
    assert.deepEqual(r, { status: 200, body: `peer ${hex(node)} disconnecting` });
    const close = await c.inbox.take(fe2.proto.closeConnection);
    assert.match(close.reason, /disconnect/);
    assert.equal((await peerState(tb, node))?.state, 'DISCONNECTED');
    const unknown = await api(tb.url, 'disconnect', { nodeId: hex(nodeId(99)) });
    assert.deepEqual(unknown, { status: 404, body: { error: `peer ${hex(nodeId(99))} not found` } });
  });

  test('cluster lists the backend and both frontends with their connected peers', async () => {
    const r = await api(tb.url, 'cluster');
    assert.equal(r.status, 200);
    const body = r.body as { self: string; members: Record<string, unknown>[] };
    assert.equal(body.self, tb.backend.member.address);
    const byAddr = new Map(body.members.map((m) => [m.address, m]));
    assert.deepEqual(byAddr.get(tb.backend.member.address), {
      address: tb.backend.member.address,
      roles: ['backend'],
      status: 'up',
      protocolVersion: MESH_PROTOCOL_VERSION,
      leader: true,
    });
    const connected = (addr: string) =>
      tb.backend.switchboard.list().filter((p) => p.state === 'CONNECTED' && p.frontend === addr).length;
    for (const fe of [fe1, fe2]) {
      const m = byAddr.get(fe.member.address);
      assert.equal(m?.status, 'up');
      assert.deepEqual(m?.roles, ['frontend']);
      assert.equal(m?.peers, connected(fe.member.address));
    }
    assert.ok((byAddr.get(fe2.member.address)?.peers as number) >= 1);
  });

  test('getinfo reports our node id, chain, alias, colour and features', async () => {
    const r = await api(tb.url, 'getinfo');
    assert.equal(r.status, 200);
    const b = r.body as Record<string, unknown>;
    assert.equal(b.nodeId, hex(tb.backend.nodeId));
    assert.equal(b.chainHash, hex(REGTEST));
    assert.equal(b.network, 'regtest');
    assert.equal(b.alias, 'test-backend');
    assert.equal(b.color, '#49daaa');
    assert.equal(b.blockHeight, 0);
    assert.deepEqual((b.features as { activated: Record<string, string> }).activated, {
      option_data_loss_protect: 'optional',
      var_onion_optin: 'optional',
      option_static_remotekey: 'optional',
      payment_secret: 'optional',
      option_channel_type: 'optional',
    });
  });

  test('/metrics is served on the API port without authentication', async () => {
    const res = await fetch(`${tb.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /shoal_peer_connections\{state="ready",role="backend"\} \d+/);
    assert.match(text, /shoal_peer_disconnects_total\{cause="closed",role="backend"\} [1-9]/);
    assert.match(text, /shoal_messages_total\{type="open_channel",direction="in",role="backend"\} [1-9]/);
    // Everything else still needs the password.
    const peers = await fetch(`${tb.url}/peers`, { method: 'POST' });
    assert.equal(peers.status, 401);
  });
});
