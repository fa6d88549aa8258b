import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { secp256k1 } from '@shoal/crypto';
import type { GraphSubscribe } from '@shoal/front-protocol';
import { channelUpdateChecksum, type GraphDelta, QUERY_FLAG_ALL, QUERY_FLAG_UPDATE_1 } from '@shoal/gossip';
import {
  decodeMessage,
  encodeMessage,
  QUERY_OPTION_WANT_CHECKSUMS,
  QUERY_OPTION_WANT_TIMESTAMPS,
  type ReplyChannelRangeMessage,
  type ReplyShortChannelIdsEndMessage,
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
  roundTrip,
  scid,
} from './router-harness.js';

const k1 = priv(1);
const ch1 = makeChannel(priv(1), priv(2), scid(100, 1, 0));
const ch2 = makeChannel(priv(2), priv(3), scid(101, 2, 1));
const ch3 = makeChannel(priv(3), priv(4), scid(150, 7, 0));
const d1 = channelDeltas(ch1, NOW_S - 100);
const d2 = channelDeltas(ch2, NOW_S - 50);
const d3 = channelDeltas(ch3, NOW_S - 20);
const nodeAnn1 = makeNodeAnn(k1, NOW_S - 90);
const node1: GraphDelta = {
  kind: 'node_updated',
  nodeId: secp256k1.publicKeyCreate(k1),
  announcement: nodeAnn1,
};

const updateOf = (deltas: GraphDelta[], dir: 0 | 1): Uint8Array => {
  const d = deltas.find((x) => x.kind === 'channel_updated' && x.direction === dir);
  assert.ok(d?.kind === 'channel_updated');
  return d.update;
};

function queryRange(first: number, blocks: number): Uint8Array {
  return encodeMessage({
    type: 'query_channel_range',
    chainHash: REGTEST,
    firstBlocknum: first,
    numberOfBlocks: blocks,
    tlvs: { queryOption: QUERY_OPTION_WANT_TIMESTAMPS | QUERY_OPTION_WANT_CHECKSUMS, unknown: [] },
  });
}

describe('frontend router: graph copy, readiness and queries', { timeout: 90_000 }, () => {
  let backend: GossipBackend;
  let fe: FrontendHandle;
  let sub: GraphSubscribe;
  let peer: TestPeer;

  before(async () => {
    backend = new GossipBackend(await freePort());
    await backend.start();
    fe = await startFrontend(backend.port, { gossip: { checkIntervalMs: 50 } });
  });
  after(async () => {
    peer?.destroy();
    await fe?.stop();
    await backend?.stop();
  });

  it('is not ready (saying why) until the snapshot is loaded, then follows the deltas', {
    timeout: 20_000,
  }, async () => {
    [sub] = (await backend.waitCount(backend.proto.graphSubscribe, 1)) as [GraphSubscribe];
    await pollUntil(() => fe.frontend.readyReason.includes('graph copy'), 'the graph copy to be the reason');
    assert.equal(fe.frontend.ready, false);
    const res = await fetch(`http://127.0.0.1:${fe.frontend.httpPort}/ready`);
    assert.equal(res.status, 503);
    assert.match(((await res.json()) as { reason: string }).reason, /graph copy/);

    backend.seq = 5n;
    await backend.sendSnapshot(sub.replyTo, [...d1, node1]);
    await waitReady(fe.frontend);
    assert.equal((await fetch(`http://127.0.0.1:${fe.frontend.httpPort}/ready`)).status, 200);
    const replica = fe.frontend.router.sync.replica;
    assert.equal(replica.seq, 5);
    assert.equal(replica.graph.channelCount, 1);

    backend.publish(d2);
    await pollUntil(() => replica.seq === 6, 'deltas 6 applied');
    assert.equal(replica.graph.channelCount, 2);
    assert.ok(fe.frontend.ready);
    const metrics = await (await fetch(`http://127.0.0.1:${fe.frontend.httpPort}/metrics`)).text();
    assert.match(metrics, /^shoal_front_graph_size\{kind="channels"\} 2$/m);
    assert.match(metrics, /^shoal_front_graph_size\{kind="nodes"\} 3$/m);
  });

  it('answers query_channel_range (timestamps, checksums) and query_short_channel_ids from the copy', {
    timeout: 20_000,
  }, async () => {
    peer = await gossipPeer(fe.frontend.port, fe.key.publicKey, backend);
    // A gossip_queries peer that we do not sync with gets a filter so that it sends new gossip.
    const filter = decodeMessage(await peer.take(265));
    assert.ok(filter.type === 'gossip_timestamp_filter');
    assert.ok(Math.abs(filter.firstTimestamp - Math.floor(Date.now() / 1000)) < 120);

    peer.write(queryRange(0, 1000));
    const reply = decodeMessage(await peer.take(264)) as ReplyChannelRangeMessage;
    assert.equal(reply.firstBlocknum, 0);
    assert.equal(reply.numberOfBlocks, 1000);
    assert.equal(reply.syncComplete, 1);
    assert.deepEqual(reply.shortChannelIds, [ch1.scid, ch2.scid]);
    assert.deepEqual(reply.tlvs.timestamps, [
      { nodeId1: NOW_S - 100, nodeId2: NOW_S - 99 },
      { nodeId1: NOW_S - 50, nodeId2: NOW_S - 49 },
    ]);
    assert.deepEqual(reply.tlvs.checksums, [
      { nodeId1: channelUpdateChecksum(updateOf(d1, 0)), nodeId2: channelUpdateChecksum(updateOf(d1, 1)) },
      { nodeId1: channelUpdateChecksum(updateOf(d2, 0)), nodeId2: channelUpdateChecksum(updateOf(d2, 1)) },
    ]);

    // A range that ends before our channels: one empty reply covering it, sync_complete set.
    peer.write(queryRange(0, 100));
    const empty = decodeMessage(await peer.take(264)) as ReplyChannelRangeMessage;
    assert.deepEqual(
      [empty.firstBlocknum, empty.numberOfBlocks, empty.syncComplete, empty.shortChannelIds.length],
      [0, 100, 1, 0],
    );

    peer.write(
      encodeMessage({
        type: 'query_short_channel_ids',
        chainHash: REGTEST,
        shortChannelIds: [ch1.scid, ch2.scid],
        tlvs: { queryFlags: [QUERY_FLAG_ALL, QUERY_FLAG_UPDATE_1], unknown: [] },
      }),
    );
    const end = decodeMessage(await peer.take(262)) as ReplyShortChannelIdsEndMessage;
    assert.equal(end.fullInformation, 1);
    const gossip = peer.messages
      .filter((m) => [256, 257, 258].includes(m.readUInt16BE(0)))
      .map((m) => Buffer.from(m));
    const expected = [ch1.ann, updateOf(d1, 0), updateOf(d1, 1), updateOf(d2, 0), nodeAnn1].map((m) =>
      Buffer.from(m),
    );
    assert.deepEqual(gossip, expected);
    peer.messages.length = 0;
  });

  it('re-subscribes after a gap (queries wait for the new copy) and on a new backend generation', {
    timeout: 20_000,
  }, async () => {
    backend.publish(d3, backend.seq + 2n); // 7 is missing
    const subs = await backend.waitCount(backend.proto.graphSubscribe, 2);
    await waitReady(fe.frontend, false);
    assert.match(fe.frontend.readyReason, /graph copy/);

    // A query now is answered from the new copy once it is loaded, not from a half-built one.
    peer.write(queryRange(0, 1000));
    await roundTrip(peer);
    assert.equal(peer.messages.filter((m) => m.readUInt16BE(0) === 264).length, 0);
    await backend.sendSnapshot(subs[1]!.replyTo, [...d1, ...d2, ...d3, node1]);
    await waitReady(fe.frontend);
    const reply = decodeMessage(await peer.take(264)) as ReplyChannelRangeMessage;
    assert.deepEqual(reply.shortChannelIds, [ch1.scid, ch2.scid, ch3.scid]);

    backend.generation = 2n;
    backend.seq = 0n;
    backend.publish([]);
    const again = await backend.waitCount(backend.proto.graphSubscribe, 3);
    backend.seq = 1n;
    await backend.sendSnapshot(again[2]!.replyTo, d1);
    await pollUntil(() => fe.frontend.router.sync.state === 'live', 'live again');
    assert.equal(fe.frontend.router.sync.replica.graph.channelCount, 1);
    assert.equal(fe.frontend.router.sync.replica.seq, 1);
  });

  it('follows a new backend that replaces a lost one', { timeout: 30_000 }, async () => {
    peer.destroy();
    await backend.stop();
    await waitReady(fe.frontend, false);
    backend = new GossipBackend(backend.port);
    backend.autoSnapshot = [...d2, ...d3];
    backend.seq = 40n;
    await backend.start();
    await backend.waitCount(backend.proto.graphSubscribe, 1);
    await waitReady(fe.frontend);
    const g = fe.frontend.router.sync.replica.graph;
    assert.deepEqual([g.channel(ch1.scid), g.channelCount], [undefined, 2]);
    assert.equal(fe.frontend.router.sync.replica.seq, 40);
  });
});
