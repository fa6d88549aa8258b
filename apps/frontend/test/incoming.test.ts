import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import * as nlNoise from '@node-lightning/noise';
import { randomPrivateKey } from '@shoal/crypto';
import { decodeMessage, encodeMessage, Features, type InitMessage } from '@shoal/wire';
import {
  type FrontendHandle,
  freePort,
  OUR_FEATURES,
  REGTEST,
  startFrontend,
  TestBackend,
  TestPeer,
  until,
  waitReady,
} from './harness.js';

const TESTNET = Buffer.alloc(32, 0x43);

function initMessage(features: Uint8Array, networks: Uint8Array[] | undefined): Uint8Array {
  return encodeMessage({
    type: 'init',
    globalFeatures: new Uint8Array(0),
    features,
    tlvs: { ...(networks === undefined ? {} : { networks }), unknown: [] },
  });
}

const ping = (n: number) =>
  encodeMessage({ type: 'ping', numPongBytes: n, ignored: new Uint8Array(4), tlvs: { unknown: [] } });

describe('incoming peer connections', { timeout: 60_000 }, () => {
  let backend: TestBackend;
  let fe: FrontendHandle;

  before(async () => {
    backend = new TestBackend(await freePort());
    await backend.start();
    fe = await startFrontend(backend.port);
    await waitReady(fe.frontend);
  });
  after(async () => {
    await fe?.stop();
    await backend?.stop();
  });

  /** Connects a `@shoal/noise` peer, checks our init, answers with `init`; returns once ready. */
  async function readyPeer(): Promise<TestPeer> {
    const peer = await TestPeer.connect(fe.frontend.port, fe.key.publicKey);
    await peer.take(16);
    peer.write(initMessage(OUR_FEATURES, [REGTEST]));
    await backend.waitFor(backend.proto.connectionReady, (v) =>
      Buffer.from(v.nodeId).equals(peer.socket.localPublicKey),
    );
    return peer;
  }

  it('runs the whole flow with a @node-lightning/noise peer: init, ping, forwarding, SendToPeer, CloseConnection', {
    timeout: 20_000,
  }, async () => {
    const ls = Buffer.from(randomPrivateKey());
    const sock = nlNoise.connect({ ls, rpk: fe.key.publicKey, host: '127.0.0.1', port: fe.frontend.port });
    const got: Buffer[] = [];
    const waiters = new Set<() => void>();
    sock.on('data', (d: Buffer) => {
      got.push(d);
      for (const w of [...waiters]) w();
    });
    const closed = once(sock, 'close');
    const take = (type: number) =>
      until(
        (w) => {
          waiters.add(w);
          return () => waiters.delete(w);
        },
        () => {
          const i = got.findIndex((m) => m.readUInt16BE(0) === type);
          return i < 0 ? undefined : got.splice(i, 1)[0];
        },
        `type ${type}`,
      );
    await once(sock, 'ready');

    const auth = await backend.waitFor(
      backend.proto.peerAuthenticated,
      (v) => !v.outgoing && v.requestId === 0n,
    );
    const peerId = Buffer.from(auth.nodeId);
    assert.match(auth.remoteAddress, /^127\.0\.0\.1:\d+$/);

    const init = decodeMessage(await take(16)) as InitMessage;
    assert.deepEqual(Buffer.from(init.features), Buffer.from(OUR_FEATURES));
    assert.deepEqual(
      init.tlvs.networks?.map((n) => Buffer.from(n)),
      [REGTEST],
    );
    assert.equal(init.tlvs.remoteAddr, undefined, 'no remote_addr for a loopback peer');

    sock.write(Buffer.from(initMessage(OUR_FEATURES, [REGTEST])));
    const ready = await backend.waitFor(backend.proto.connectionReady, (v) =>
      Buffer.from(v.nodeId).equals(peerId),
    );
    assert.equal(Buffer.from(ready.remoteInit).readUInt16BE(0), 16);

    // ping is answered on the frontend; nothing reaches the backend.
    sock.write(Buffer.from(ping(12)));
    const pong = decodeMessage(await take(19));
    assert.ok(pong.type === 'pong' && pong.ignored.length === 12);
    // num_pong_bytes >= 65532: no pong (BOLT 1); a following ping still gets one, in order.
    sock.write(Buffer.from(ping(65532)));
    sock.write(Buffer.from(ping(3)));
    const pong2 = decodeMessage(await take(19));
    assert.ok(pong2.type === 'pong' && pong2.ignored.length === 3);

    // A BOLT 2 message (type 38 shutdown, raw) and an unknown odd one go to the backend untouched, in order.
    const shutdown = Buffer.concat([Buffer.from([0, 38]), Buffer.alloc(32, 7), Buffer.from([0, 0])]);
    const odd = Buffer.from([0x80, 0x01, 1, 2, 3]);
    sock.write(shutdown);
    sock.write(odd);
    const fwd = await backend.waitUntil(() => {
      const list = backend.received.filter((r) => backend.proto.peerMessage.is(r.msg));
      return list.length >= 2 ? list : undefined;
    }, 'two PeerMessages');
    const bodies = fwd.map((r) => Buffer.from((r.msg.value as { message: Uint8Array }).message));
    assert.deepEqual(bodies, [shutdown, odd]);
    const connection = ready.connection;

    // SendToPeer: written in order.
    const a = Buffer.from([0, 39, 1]);
    const b = Buffer.from([0, 39, 2]);
    const c = Buffer.from([0, 39, 3]);
    backend.member.tell(connection, backend.proto.sendToPeer.of({ messages: [a, b] }), backend.ref);
    backend.member.tell(connection, backend.proto.sendToPeer.of({ messages: [c] }), backend.ref);
    assert.deepEqual(await take(39), a);
    assert.deepEqual(await take(39), b);
    assert.deepEqual(await take(39), c);

    // CloseConnection: the error is written, then the connection closes and the backend is told.
    const error = encodeMessage({
      type: 'error',
      channelId: Buffer.alloc(32),
      data: Buffer.from('bye'),
      tlvs: { unknown: [] },
    });
    backend.member.tell(
      connection,
      backend.proto.closeConnection.of({ reason: 'test', messages: [error] }),
      backend.ref,
    );
    const e = decodeMessage(await take(17));
    assert.ok(e.type === 'error' && Buffer.from(e.data).toString() === 'bye');
    await closed;
    const gone = await backend.waitFor(backend.proto.connectionClosed, (v) =>
      Buffer.from(v.nodeId).equals(peerId),
    );
    assert.equal(gone.reason, 'test');
  });

  it('closes with a warning when networks share no chain', { timeout: 10_000 }, async () => {
    const peer = await TestPeer.connect(fe.frontend.port, fe.key.publicKey);
    await peer.take(16);
    peer.write(initMessage(OUR_FEATURES, [TESTNET]));
    const w = decodeMessage(await peer.take(1));
    assert.ok(w.type === 'warning' && /no common network/.test(Buffer.from(w.data).toString()));
    await peer.waitClosed();
    await backend.waitFor(backend.proto.connectionClosed, (v) => /no common network/.test(v.reason));
  });

  it('closes with a warning on an unknown compulsory feature bit', { timeout: 10_000 }, async () => {
    const peer = await TestPeer.connect(fe.frontend.port, fe.key.publicKey);
    await peer.take(16);
    const features = Features.fromBytes(OUR_FEATURES)
      .or(Features.fromBits([200]))
      .toBytes();
    peer.write(initMessage(features, [REGTEST]));
    const w = decodeMessage(await peer.take(1));
    assert.ok(
      w.type === 'warning' && /unknown compulsory feature bits 200/.test(Buffer.from(w.data).toString()),
    );
    await peer.waitClosed();
  });

  it('closes on a missing feature dependency', { timeout: 10_000 }, async () => {
    const peer = await TestPeer.connect(fe.frontend.port, fe.key.publicKey);
    await peer.take(16);
    // basic_mpp (bit 17) without payment_secret breaks the BOLT 9 dependency table.
    peer.write(initMessage(Features.fromBits([8, 17]).toBytes(), [REGTEST]));
    const w = decodeMessage(await peer.take(1));
    assert.ok(w.type === 'warning' && /basic_mpp needs payment_secret/.test(Buffer.from(w.data).toString()));
    await peer.waitClosed();
  });

  it('closes on an unknown even message type, and on a second init', { timeout: 10_000 }, async () => {
    const p1 = await readyPeer();
    p1.write(Buffer.from([0x7f, 0x00])); // type 32512: unknown and even
    await p1.waitClosed();
    const p2 = await readyPeer();
    p2.write(initMessage(OUR_FEATURES, [REGTEST]));
    await p2.waitClosed();
  });

  it('keeps gossip (BOLT 7, 256-265) on the frontend and forwards the next message', {
    timeout: 10_000,
  }, async () => {
    const peer = await readyPeer();
    const before = backend.count(backend.proto.peerMessage);
    peer.write(Buffer.concat([Buffer.from([0x01, 0x02]), Buffer.alloc(10)])); // 258 channel_update
    peer.write(Buffer.concat([Buffer.from([0x01, 0x09]), Buffer.alloc(40)])); // 265 gossip_timestamp_filter
    const marker = Buffer.from([0x80, 0x03, 9, 9]);
    peer.write(marker);
    await backend.waitFor(backend.proto.peerMessage, (v) => Buffer.from(v.message).equals(marker));
    assert.equal(backend.count(backend.proto.peerMessage), before + 1);
    assert.equal(peer.closed, false);
    peer.destroy();
  });

  it('closes when a message other than init comes first', { timeout: 10_000 }, async () => {
    const peer = await TestPeer.connect(fe.frontend.port, fe.key.publicKey);
    await peer.take(16);
    peer.write(ping(1));
    await peer.waitClosed();
  });

  it('serves /health, /ready and /metrics', { timeout: 10_000 }, async () => {
    const base = `http://127.0.0.1:${fe.frontend.httpPort}`;
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'up');
    const ready = await fetch(`${base}/ready`);
    assert.equal(ready.status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /shoal_handshakes_total\{direction="in",result="ok"\} [1-9]/);
    assert.match(metrics, /shoal_messages_total\{type="ping",direction="in"\} [1-9]/);
    assert.match(metrics, /shoal_peer_connections\{state="ready"\}/);
    assert.match(metrics, /shoal_cluster_links/);
  });
});
