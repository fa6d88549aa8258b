import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  decodeMessage,
  encodeMessage,
  type QueryChannelRangeMessage,
  type QueryShortChannelIdsMessage,
  type ReplyChannelRangeMessage,
  WireError,
} from '@shoal/wire';
import {
  answerQueryChannelRange,
  answerQueryShortChannelIds,
  GossipError,
  GossipProcessor,
  maxIdsPerReply,
  RoutingGraph,
} from '../src/index.js';
import {
  CHAIN,
  FakeClock,
  FakeFunding,
  makeChannel,
  makeNodeAnn,
  makeUpdate,
  NOW_S,
  priv,
  pub,
} from './helpers.js';

const T = { timeout: 20_000 };
const VECTORS = JSON.parse(
  readFileSync(new URL('../../../../../shared/bolts/bolt07/extended-queries.json', import.meta.url), 'utf8'),
) as { hex: string; msg: { type: string; shortChannelIds?: { encoding: string } } }[];

const K1 = pub(priv(1));
const K2 = pub(priv(2));
const Z64 = new Uint8Array(64);

/** A graph of `perBlock` unsigned channels in each of `blocks` blocks from `first` (the graph does not verify). */
function syntheticGraph(first: number, blocks: number, perBlock: number, withUpdates = true): RoutingGraph {
  const g = new RoutingGraph();
  for (let b = first; b < first + blocks; b++) {
    for (let t = 0; t < perBlock; t++) {
      const scid = (BigInt(b) << 40n) | (BigInt(t) << 16n);
      const announcement = encodeMessage({
        type: 'channel_announcement',
        nodeSignature1: Z64,
        nodeSignature2: Z64,
        bitcoinSignature1: Z64,
        bitcoinSignature2: Z64,
        features: new Uint8Array(0),
        chainHash: CHAIN,
        shortChannelId: scid,
        nodeId1: K1,
        nodeId2: K2,
        bitcoinKey1: K1,
        bitcoinKey2: K2,
        tlvs: { unknown: [] },
      });
      g.applyDelta({ kind: 'channel_added', scid, announcement, capacitySat: 1000n });
      if (withUpdates) {
        const update = encodeMessage({
          type: 'channel_update',
          signature: Z64,
          chainHash: CHAIN,
          shortChannelId: scid,
          timestamp: 1000 + t,
          messageFlags: 1,
          channelFlags: 0,
          cltvExpiryDelta: 6,
          htlcMinimumMsat: 0n,
          feeBaseMsat: b,
          feeProportionalMillionths: 1,
          htlcMaximumMsat: 1000n,
          tlvs: { unknown: [] },
        });
        g.applyDelta({ kind: 'channel_updated', scid, direction: 0, update });
      }
    }
  }
  return g;
}

function rangeQuery(first: number, blocks: number, option?: bigint): QueryChannelRangeMessage {
  return {
    type: 'query_channel_range',
    chainHash: CHAIN,
    firstBlocknum: first,
    numberOfBlocks: blocks,
    tlvs: option === undefined ? { unknown: [] } : { queryOption: option, unknown: [] },
  };
}

/** Checks the BOLT 7 reply rules for one query and returns all ids. */
function checkReplies(q: QueryChannelRangeMessage, replies: ReplyChannelRangeMessage[]): bigint[] {
  assert.ok(replies.length >= 1);
  const r0 = replies[0]!;
  assert.ok(r0.firstBlocknum <= q.firstBlocknum);
  assert.ok(r0.firstBlocknum + r0.numberOfBlocks > q.firstBlocknum);
  const ids: bigint[] = [];
  replies.forEach((r, i) => {
    if (i > 0) assert.ok(r.firstBlocknum >= replies[i - 1]!.firstBlocknum);
    assert.equal(r.syncComplete, i === replies.length - 1 ? 1 : 0);
    const bytes = encodeMessage(r);
    assert.ok(bytes.length <= 65535, `reply ${i} is ${bytes.length} bytes`);
    assert.equal(bytes[2 + 32 + 4 + 4 + 1 + 2], 0, 'encoding byte 0 (never zlib)');
    for (const id of r.shortChannelIds) {
      const block = Number(id >> 40n);
      assert.ok(block >= r.firstBlocknum && block < r.firstBlocknum + r.numberOfBlocks);
    }
    ids.push(...r.shortChannelIds);
  });
  const last = replies[replies.length - 1]!;
  assert.ok(last.firstBlocknum + last.numberOfBlocks >= q.firstBlocknum + q.numberOfBlocks);
  return ids;
}

describe('query_channel_range answers (BOLT 7)', () => {
  it('covers the range across several replies, each within 65535 bytes, without zlib', T, () => {
    const g = syntheticGraph(1000, 40, 300);
    for (const opt of [undefined, 1n, 2n, 3n]) {
      const q = rangeQuery(990, 100, opt);
      const replies = answerQueryChannelRange(g, q, CHAIN);
      const ts = opt !== undefined && (opt & 1n) !== 0n;
      const cs = opt !== undefined && (opt & 2n) !== 0n;
      assert.ok(replies.length >= Math.ceil(12_000 / maxIdsPerReply(ts, cs)));
      const ids = checkReplies(q, replies);
      assert.equal(ids.length, 12_000);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => (a < b ? -1 : 1)),
      );
      for (const r of replies) {
        assert.equal(r.tlvs.timestamps?.length, ts ? r.shortChannelIds.length : undefined);
        assert.equal(r.tlvs.checksums?.length, cs ? r.shortChannelIds.length : undefined);
        // Round trip through the wire codec (the peer's view).
        const bytes = encodeMessage(r);
        assert.deepEqual(Buffer.from(encodeMessage(decodeMessage(bytes))), Buffer.from(bytes));
      }
    }
  });
  it('a reply fills up to the size bound exactly', T, () => {
    const n = maxIdsPerReply(true, true);
    const g = syntheticGraph(5, 1, n + 10);
    const replies = answerQueryChannelRange(g, rangeQuery(0, 10, 3n), CHAIN);
    assert.equal(replies[0]!.shortChannelIds.length, n);
    assert.ok(encodeMessage(replies[0]!).length <= 65535);
    assert.ok(encodeMessage(replies[0]!).length > 65535 - 24);
    checkReplies(rangeQuery(0, 10, 3n), replies);
  });
  it('cuts replies at block boundaries', T, () => {
    const g = syntheticGraph(100, 10, 3);
    const replies = answerQueryChannelRange(g, rangeQuery(0, 1000), CHAIN, { maxIdsPerReply: 7 });
    assert.deepEqual(
      replies.map((r) => [r.firstBlocknum, r.numberOfBlocks, r.shortChannelIds.length]),
      [
        [0, 102, 6],
        [102, 2, 6],
        [104, 2, 6],
        [106, 2, 6],
        [108, 892, 6],
      ],
    );
  });
  it('answers an empty range, the whole chain, and timestamps/checksums per direction', T, () => {
    const g = syntheticGraph(100, 2, 2);
    const empty = answerQueryChannelRange(g, rangeQuery(500, 10, 3n), CHAIN);
    assert.deepEqual(
      empty.map((r) => [r.firstBlocknum, r.numberOfBlocks, r.syncComplete, r.shortChannelIds.length]),
      [[500, 10, 1, 0]],
    );
    const all = answerQueryChannelRange(g, rangeQuery(0, 0xffffffff, 3n), CHAIN);
    assert.equal(checkReplies(rangeQuery(0, 0xffffffff), all).length, 4);
    const r = all[0]!;
    assert.deepEqual(r.tlvs.timestamps?.[1], { nodeId1: 1001, nodeId2: 0 });
    assert.equal(r.tlvs.checksums?.[1]?.nodeId2, 0);
    assert.equal(r.tlvs.checksums?.[1]?.nodeId1, g.channel(r.shortChannelIds[1]!)!.updates[0]!.checksum);
    const late = answerQueryChannelRange(g, rangeQuery(50, 0xffffffff), CHAIN);
    assert.equal(late[0]!.numberOfBlocks, 0xffffffff);
  });
  it('omits spent channels; another chain gets one empty reply; 0 blocks is a bad query', T, () => {
    const g = syntheticGraph(100, 1, 3);
    const spent = [...g.channels()][1]!.scid;
    g.applyDelta({ kind: 'channel_spent', scid: spent, height: 200 });
    const ids = answerQueryChannelRange(g, rangeQuery(0, 1000), CHAIN).flatMap((r) => r.shortChannelIds);
    assert.equal(ids.length, 2);
    assert.ok(!ids.includes(spent));
    const other = answerQueryChannelRange(
      g,
      { ...rangeQuery(0, 1000), chainHash: Buffer.alloc(32, 1) },
      CHAIN,
    );
    assert.deepEqual(
      other.map((r) => [r.syncComplete, r.shortChannelIds.length]),
      [[0, 0]],
    );
    assert.throws(() => answerQueryChannelRange(g, rangeQuery(0, 0), CHAIN), GossipError);
  });
  it('answers the BOLT 7 query_channel_range vectors', T, () => {
    for (const v of VECTORS.filter((x) => x.msg.type === 'QueryChannelRange')) {
      const q = decodeMessage(Buffer.from(v.hex, 'hex')) as QueryChannelRangeMessage;
      const g = syntheticGraph(q.firstBlocknum + 1, 2, 2);
      const replies = answerQueryChannelRange(g, q, q.chainHash);
      assert.equal(checkReplies(q, replies).length, 4);
      assert.equal(replies[0]!.tlvs.checksums !== undefined, q.tlvs.queryOption === 3n);
    }
  });
});

describe('query_short_channel_ids answers (BOLT 7)', () => {
  async function graphWith(chainHash: Uint8Array = CHAIN, ids?: bigint[]) {
    const funding = new FakeFunding();
    const p = new GossipProcessor({ funding, clock: new FakeClock() }, { chainHash });
    await p.start();
    const chans = (ids ?? [1n << 40n, 2n << 40n, 3n << 40n]).map((id, i) =>
      makeChannel(priv(1), priv(2 + i), id, { chainHash }),
    );
    for (const ch of chans) {
      funding.outputs.set(ch.scid, ch.funding);
      await p.submit(ch.ann.raw);
      for (const d of [0, 1] as const) await p.submit(makeUpdate(ch, d, { chainHash }).raw);
    }
    for (const i of [1, 2, 3]) await p.submit(makeNodeAnn(priv(i)).raw);
    return { g: p.graph, chans };
  }
  const query = (ids: bigint[], flags?: bigint[], chainHash = CHAIN): QueryShortChannelIdsMessage => ({
    type: 'query_short_channel_ids',
    chainHash,
    shortChannelIds: ids,
    tlvs: flags ? { queryFlags: flags, unknown: [] } : { unknown: [] },
  });
  const types = (ms: Uint8Array[]) => ms.map((m) => decodeMessage(m).type);

  it('without flags: announcements, then updates, then node announcements once each', T, async () => {
    const { g, chans } = await graphWith();
    const a = answerQueryShortChannelIds(g, query([chans[0]!.scid, chans[1]!.scid, 99n]), CHAIN);
    assert.deepEqual(types(a.messages), [
      'channel_announcement',
      'channel_announcement',
      'channel_update',
      'channel_update',
      'channel_update',
      'channel_update',
      'node_announcement',
      'node_announcement',
      'node_announcement',
    ]);
    assert.equal(a.end.fullInformation, 1);
  });
  it('honours query flags and rejects a flag count mismatch', T, async () => {
    const { g, chans } = await graphWith();
    const ids = chans.map((c) => c.scid);
    const a = answerQueryShortChannelIds(g, query(ids, [1n, 4n, 8n]), CHAIN);
    assert.deepEqual(types(a.messages), ['channel_announcement', 'channel_update', 'node_announcement']);
    assert.deepEqual(Buffer.from(a.messages[1]!), Buffer.from(g.channel(ids[1]!)!.updates[1]!.raw));
    assert.throws(() => answerQueryShortChannelIds(g, query(ids, [1n]), CHAIN), GossipError);
    const other = answerQueryShortChannelIds(g, query(ids, undefined, Buffer.alloc(32, 9)), CHAIN);
    assert.deepEqual([other.messages.length, other.end.fullInformation], [0, 0]);
  });
  it('answers the BOLT 7 query_short_channel_ids vectors (uncompressed); rejects zlib ones', T, async () => {
    for (const v of VECTORS.filter((x) => x.msg.type === 'QueryShortChannelIds')) {
      const bytes = Buffer.from(v.hex, 'hex');
      if (v.hex.includes('01789c') || v.msg.shortChannelIds?.encoding === 'COMPRESSED_ZLIB') {
        assert.throws(
          () => decodeMessage(bytes),
          (e: unknown) => e instanceof WireError,
        );
        continue;
      }
      let q: QueryShortChannelIdsMessage;
      try {
        q = decodeMessage(bytes) as QueryShortChannelIdsMessage;
      } catch (e) {
        assert.ok(e instanceof WireError && e.code === 'WIRE_ZLIB_UNSUPPORTED');
        continue;
      }
      const { g } = await graphWith(q.chainHash, q.shortChannelIds);
      const a = answerQueryShortChannelIds(g, q, q.chainHash);
      const want = q.tlvs.queryFlags
        ? ['channel_announcement', 'channel_update', 'channel_update']
        : [
            ...Array(3).fill('channel_announcement'),
            ...Array(6).fill('channel_update'),
            ...Array(3).fill('node_announcement'),
          ];
      assert.deepEqual(types(a.messages), want);
    }
  });
});

void NOW_S;
