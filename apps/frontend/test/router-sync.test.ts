import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GossipSyncReport } from '@shoal/front-protocol';
import { channelUpdateChecksum, type GraphDelta, QUERY_FLAG_ALL } from '@shoal/gossip';
import {
  decodeMessage,
  encodeMessage,
  QUERY_OPTION_WANT_CHECKSUMS,
  QUERY_OPTION_WANT_TIMESTAMPS,
  type QueryChannelRangeMessage,
  type QueryShortChannelIdsMessage,
} from '@shoal/wire';
import {
  type FrontendHandle,
  freePort,
  pollUntil,
  REGTEST,
  startFrontend,
  type TestPeer,
  waitReady,
} from './harness.js';
import {
  channelDeltas,
  GossipBackend,
  gossipPeer,
  makeChannel,
  makeNodeAnn,
  NOW_S,
  priv,
  scid,
  typesOf,
} from './router-harness.js';

const ch1 = makeChannel(priv(1), priv(2), scid(100, 1, 0));
const ch2 = makeChannel(priv(2), priv(3), scid(120, 3, 1));
const d1 = channelDeltas(ch1, NOW_S - 100);
const d2 = channelDeltas(ch2, NOW_S - 50);
const updates = (d: GraphDelta[]): Uint8Array[] =>
  d.flatMap((x) => (x.kind === 'channel_updated' ? [x.update] : []));
const stamps = (d: GraphDelta[]) => {
  const [u0, u1] = updates(d);
  return {
    ts: { nodeId1: decodeTs(u0!), nodeId2: decodeTs(u1!) },
    cs: { nodeId1: channelUpdateChecksum(u0!), nodeId2: channelUpdateChecksum(u1!) },
  };
};
function decodeTs(raw: Uint8Array): number {
  const m = decodeMessage(raw);
  assert.ok(m.type === 'channel_update');
  return m.timestamp;
}

describe('frontend router: our own initial sync (doSync)', { timeout: 90_000 }, () => {
  let backend: GossipBackend;
  let fe: FrontendHandle;
  const peers: TestPeer[] = [];

  before(async () => {
    backend = new GossipBackend(await freePort());
    backend.autoSnapshot = d1;
    backend.seq = 1n;
    backend.doSync = true;
    await backend.start();
    fe = await startFrontend(backend.port, { gossip: { checkIntervalMs: 50 } });
    await waitReady(fe.frontend);
  });
  after(async () => {
    for (const p of peers) p.destroy();
    await fe?.stop();
    await backend?.stop();
  });

  it('queries the range (extended), asks only for what it lacks, reports progress, then sends a filter', {
    timeout: 30_000,
  }, async () => {
    const peer = await gossipPeer(fe.frontend.port, fe.key.publicKey, backend);
    peers.push(peer);
    const q = decodeMessage(await peer.take(263)) as QueryChannelRangeMessage;
    assert.equal(q.firstBlocknum, 0);
    assert.equal(q.tlvs.queryOption, QUERY_OPTION_WANT_TIMESTAMPS | QUERY_OPTION_WANT_CHECKSUMS);
    assert.ok(!typesOf(peer).includes(265), 'no filter before the sync is done');

    // Two replies: ch1 (which we hold, same timestamps and checksums) and ch2 (unknown to us).
    const s1 = stamps(d1);
    const s2 = stamps(d2);
    const reply = (first: number, blocks: number, ids: bigint[], st: (typeof s1)[], complete: number) =>
      encodeMessage({
        type: 'reply_channel_range',
        chainHash: REGTEST,
        firstBlocknum: first,
        numberOfBlocks: blocks,
        syncComplete: complete,
        shortChannelIds: ids,
        tlvs: { timestamps: st.map((x) => x.ts), checksums: st.map((x) => x.cs), unknown: [] },
      });
    peer.write(reply(0, 101, [ch1.scid], [s1], 0));
    peer.write(reply(101, q.numberOfBlocks - 101, [ch2.scid], [s2], 1));

    const ids = decodeMessage(await peer.take(261)) as QueryShortChannelIdsMessage;
    assert.deepEqual(ids.shortChannelIds, [ch2.scid]);
    assert.deepEqual(ids.tlvs.queryFlags, [QUERY_FLAG_ALL]);

    // The peer answers; its gossip takes the normal path to the backend.
    const nodeAnn = makeNodeAnn(priv(3), NOW_S - 40);
    for (const m of [ch2.ann, ...updates(d2), nodeAnn]) peer.write(m);
    peer.write(
      encodeMessage({
        type: 'reply_short_channel_ids_end',
        chainHash: REGTEST,
        fullInformation: 1,
        tlvs: { unknown: [] },
      }),
    );

    const filter = decodeMessage(await peer.take(265));
    assert.ok(filter.type === 'gossip_timestamp_filter');
    const now = Math.floor(Date.now() / 1000);
    assert.ok(
      filter.firstTimestamp <= now - 600 && filter.firstTimestamp > now - 900,
      `${filter.firstTimestamp}`,
    );
    assert.equal(filter.timestampRange, 0xffff_ffff);

    const [done] = (await backend.waitCount(
      backend.proto.gossipSyncReport,
      1,
      (r) => r.phase === 'done',
    )) as [GossipSyncReport];
    assert.deepEqual(
      { ...done, nodeId: Buffer.from(done.nodeId) },
      {
        nodeId: Buffer.from(peer.socket.localPublicKey),
        phase: 'done',
        listed: 2,
        wanted: 1,
        queriesDone: 1,
        queriesTotal: 1,
        incomplete: false,
      },
    );
    const phases = backend.all(backend.proto.gossipSyncReport).map((r) => r.phase);
    assert.equal(phases[0], 'range');
    await backend.waitCount(backend.proto.gossipIn, 4);
  });

  it('reports a sync that fails on a bad reply, and still sends its filter', {
    timeout: 30_000,
  }, async () => {
    const peer = await gossipPeer(fe.frontend.port, fe.key.publicKey, backend);
    peers.push(peer);
    await peer.take(263);
    peer.write(
      encodeMessage({
        type: 'reply_channel_range',
        chainHash: Buffer.alloc(32, 9), // another chain
        firstBlocknum: 0,
        numberOfBlocks: 10,
        syncComplete: 1,
        shortChannelIds: [],
        tlvs: { unknown: [] },
      }),
    );
    await peer.take(265);
    const me = Buffer.from(peer.socket.localPublicKey);
    await backend.waitCount(
      backend.proto.gossipSyncReport,
      1,
      (r) => r.phase === 'failed' && Buffer.from(r.nodeId).equals(me),
    );
  });
});

/** Cheap unsigned gossip: the graph copy does not check signatures (the backend did). */
function bigGraph(channels: number): GraphDelta[] {
  const zero = new Uint8Array(64);
  const key = (i: number, side: number): Uint8Array => {
    const k = Buffer.alloc(33, 0);
    k[0] = 2;
    k.writeUInt32BE(i * 2 + side, 29);
    return k;
  };
  const out: GraphDelta[] = [];
  for (let i = 0; i < channels; i++) {
    const id = scid(1000 + Math.floor(i / 10), i % 10, 0);
    const announcement = encodeMessage({
      type: 'channel_announcement',
      nodeSignature1: zero,
      nodeSignature2: zero,
      bitcoinSignature1: zero,
      bitcoinSignature2: zero,
      features: new Uint8Array(0),
      chainHash: REGTEST,
      shortChannelId: id,
      nodeId1: key(i, 0),
      nodeId2: key(i, 1),
      bitcoinKey1: key(i, 0),
      bitcoinKey2: key(i, 1),
      tlvs: { unknown: [] },
    });
    out.push({ kind: 'channel_added', scid: id, announcement, capacitySat: 100_000n });
    for (const direction of [0, 1] as const) {
      const update = encodeMessage({
        type: 'channel_update',
        signature: zero,
        chainHash: REGTEST,
        shortChannelId: id,
        timestamp: NOW_S - 1000,
        messageFlags: 1,
        channelFlags: direction,
        cltvExpiryDelta: 40,
        htlcMinimumMsat: 1n,
        feeBaseMsat: 1,
        feeProportionalMillionths: 1,
        htlcMaximumMsat: 1000n,
        tlvs: { unknown: [] },
      });
      out.push({ kind: 'channel_updated', scid: id, direction, update });
    }
  }
  return out;
}

describe('frontend router: large answers follow the socket', { timeout: 120_000 }, () => {
  let backend: GossipBackend;
  let fe: FrontendHandle;
  let peer: TestPeer | undefined;
  const CHANNELS = 20_000;

  before(async () => {
    backend = new GossipBackend(await freePort());
    backend.autoSnapshot = bigGraph(CHANNELS);
    backend.snapshotBatch = 500;
    backend.seq = 1n;
    await backend.start();
    fe = await startFrontend(backend.port, { gossip: { checkIntervalMs: 50 } });
  });
  after(async () => {
    peer?.destroy();
    await fe?.stop();
    await backend?.stop();
  });

  it('stops writing a backfill while the peer does not read, and finishes it when it does', {
    timeout: 90_000,
  }, async () => {
    const [sub] = await backend.waitCount(backend.proto.graphSubscribe, 1);
    assert.ok(sub);
    await waitReady(fe.frontend, true, 30_000);
    assert.equal(fe.frontend.router.sync.replica.graph.channelCount, CHANNELS);
    peer = await gossipPeer(fe.frontend.port, fe.key.publicKey, backend);
    await peer.take(265);
    peer.socket.pause();
    peer.write(
      encodeMessage({
        type: 'gossip_timestamp_filter',
        chainHash: REGTEST,
        firstTimestamp: 0,
        timestampRange: 0xffff_ffff,
        tlvs: { unknown: [] },
      }),
    );
    const total = CHANNELS * 3;
    // The answer is queued in the router, not in the socket: most of it waits for the peer to read.
    await pollUntil(() => fe.frontend.router.backlog > 0, 'a backlog', 30_000);
    assert.ok(fe.frontend.router.backlog < total);
    peer.socket.resume();
    const p = peer;
    await pollUntil(() => p.messages.length >= total, `${total} messages`, 60_000);
    const types = typesOf(p);
    assert.equal(types.filter((t) => t === 256).length, CHANNELS);
    assert.equal(types.filter((t) => t === 258).length, 2 * CHANNELS);
    assert.equal(types.indexOf(258), CHANNELS, 'announcements first');
    assert.equal(fe.frontend.router.backlog, 0);
  });
});
