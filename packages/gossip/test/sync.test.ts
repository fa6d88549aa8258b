import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage, type ReplyChannelRangeMessage, WireError } from '@shoal/wire';
import {
  answerQueryChannelRange,
  answerQueryShortChannelIds,
  buildQueryChannelRange,
  buildScidQueries,
  ChannelRangeCollector,
  GossipError,
  GossipProcessor,
  GossipSyncSession,
  maxIdsPerQuery,
  QUERY_FLAG_ALL,
  QUERY_FLAG_NODE_2,
  QUERY_FLAG_UPDATE_1,
  QUERY_FLAG_UPDATE_2,
  QueryGuard,
  scidsToQuery,
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
} from './helpers.js';

const T = { timeout: 20_000 };

async function node() {
  const funding = new FakeFunding();
  const p = new GossipProcessor({ funding, clock: new FakeClock() }, { chainHash: CHAIN });
  await p.start();
  return { p, funding };
}

describe('initiator side of gossip queries (BOLT 7)', () => {
  it('asks for unknown channels, newer differing updates, and missing node announcements', T, async () => {
    const { p, funding } = await node();
    const known = makeChannel(priv(1), priv(2), 100n << 40n);
    funding.outputs.set(known.scid, known.funding);
    await p.submit(known.ann.raw);
    await p.submit(makeUpdate(known, 0, { timestamp: NOW_S - 100 }).raw);
    await p.submit(makeNodeAnn(priv(1)).raw);
    const ours = p.graph.channel(known.scid)!.updates[0]!;
    const reply = (ts: [number, number], cs?: [number, number]): ReplyChannelRangeMessage => ({
      type: 'reply_channel_range',
      chainHash: CHAIN,
      firstBlocknum: 0,
      numberOfBlocks: 1000,
      syncComplete: 1,
      shortChannelIds: [known.scid, 200n << 40n],
      tlvs: {
        timestamps: [
          { nodeId1: ts[0], nodeId2: ts[1] },
          { nodeId1: 5, nodeId2: 5 },
        ],
        ...(cs
          ? {
              checksums: [
                { nodeId1: cs[0], nodeId2: cs[1] },
                { nodeId1: 1, nodeId2: 1 },
              ],
            }
          : {}),
        unknown: [],
      },
    });
    // Direction 0 newer, direction 1 present remotely only: both wanted, plus node 2's announcement.
    assert.deepEqual(scidsToQuery(reply([NOW_S - 50, NOW_S - 50]), p.graph), [
      { scid: known.scid, flags: QUERY_FLAG_UPDATE_1 | QUERY_FLAG_UPDATE_2 | QUERY_FLAG_NODE_2 },
      { scid: 200n << 40n, flags: QUERY_FLAG_ALL },
    ]);
    // Newer but same checksum: same content, not worth asking; older or equal: not asked.
    assert.deepEqual(
      scidsToQuery(reply([NOW_S - 50, 0], [ours.checksum, 0]), p.graph).map((w) => w.scid),
      [200n << 40n],
    );
    assert.deepEqual(scidsToQuery(reply([NOW_S - 100, 0]), p.graph).length, 1);
    assert.deepEqual(scidsToQuery(reply([NOW_S, 0]), p.graph, { skip: (s) => s === 200n << 40n }), [
      { scid: known.scid, flags: QUERY_FLAG_UPDATE_1 | QUERY_FLAG_NODE_2 },
    ]);
    // Near-stale ours: an identical newer update is worth asking for; an already stale one is not.
    const later = NOW_S + 1_209_600 - 3600;
    assert.equal(
      scidsToQuery(reply([NOW_S - 50, 0], [ours.checksum, 0]), p.graph, { nowSeconds: later })[0]?.flags,
      QUERY_FLAG_UPDATE_1 | QUERY_FLAG_NODE_2,
    );
    assert.deepEqual(
      scidsToQuery(reply([NOW_S - 50, 0]), p.graph, { nowSeconds: NOW_S + 1_209_600 * 2 }).map((w) => w.scid),
      [200n << 40n],
    );
    // Without timestamps only unknown channels are asked for.
    const plain = { ...reply([0, 0]), tlvs: { unknown: [] } };
    assert.deepEqual(scidsToQuery(plain, p.graph), [{ scid: 200n << 40n, flags: QUERY_FLAG_ALL }]);
  });
  it('uses the BOLT 7 reply_channel_range vector with timestamps and checksums', T, async () => {
    const vectors = JSON.parse(
      readFileSync(
        new URL('../../../../../shared/bolts/bolt07/extended-queries.json', import.meta.url),
        'utf8',
      ),
    ) as { hex: string; msg: { type: string; timestamps?: unknown } }[];
    const v = vectors.find(
      (x) => x.msg.type === 'ReplyChannelRange' && x.msg.timestamps && !x.hex.includes('789c'),
    )!;
    let reply: ReplyChannelRangeMessage;
    try {
      reply = decodeMessage(Buffer.from(v.hex, 'hex')) as ReplyChannelRangeMessage;
    } catch (e) {
      assert.ok(e instanceof WireError);
      throw e;
    }
    const { p } = await node();
    const wants = scidsToQuery(reply, p.graph);
    assert.deepEqual(
      wants.map((w) => w.flags),
      [QUERY_FLAG_ALL, QUERY_FLAG_ALL, QUERY_FLAG_ALL],
    );
    const c = new ChannelRangeCollector({
      type: 'query_channel_range',
      chainHash: reply.chainHash,
      firstBlocknum: 0,
      numberOfBlocks: 10,
      tlvs: { unknown: [] },
    });
    assert.equal(c.accept({ ...reply, firstBlocknum: 0 }), true);
  });
  it('builds size-bounded, sorted query_short_channel_ids with one flag per id', T, () => {
    const n = maxIdsPerQuery(true);
    const wants = Array.from({ length: n + 5 }, (_, i) => ({ scid: BigInt(n + 5 - i) << 16n, flags: 31n }));
    const qs = buildScidQueries(CHAIN, wants, true);
    assert.equal(qs.length, 2);
    assert.equal(qs[0]!.shortChannelIds.length, n);
    assert.ok(encodeMessage(qs[0]!).length <= 65535);
    assert.ok(encodeMessage(qs[0]!).length > 65535 - 9);
    assert.equal(qs[0]!.tlvs.queryFlags?.length, n);
    assert.ok(qs[0]!.shortChannelIds[0]! < qs[0]!.shortChannelIds[1]!);
    const plain = buildScidQueries(CHAIN, wants, false);
    assert.equal(plain[0]!.tlvs.queryFlags, undefined);
    assert.ok(encodeMessage(plain[0]!).length <= 65535);
  });
  it('collector follows replies to completion and rejects bad ones', T, () => {
    const q = buildQueryChannelRange(CHAIN, 100, 50, true);
    assert.equal(q.tlvs.queryOption, 3n);
    const r = (first: number, blocks: number, ids: bigint[] = []): ReplyChannelRangeMessage => ({
      type: 'reply_channel_range',
      chainHash: CHAIN,
      firstBlocknum: first,
      numberOfBlocks: blocks,
      syncComplete: 1,
      shortChannelIds: ids,
      tlvs: { unknown: [] },
    });
    const bad = (e: unknown) => e instanceof GossipError && e.code === 'GOSSIP_BAD_REPLY';
    assert.throws(() => new ChannelRangeCollector(q).accept(r(101, 10)), bad);
    assert.throws(() => new ChannelRangeCollector(q).accept(r(50, 50)), bad);
    assert.throws(
      () => new ChannelRangeCollector(q).accept({ ...r(100, 50), chainHash: Buffer.alloc(32) }),
      bad,
    );
    assert.throws(() => new ChannelRangeCollector(q).accept(r(100, 10, [200n << 40n])), bad);
    const c = new ChannelRangeCollector(q);
    assert.equal(c.accept(r(90, 20, [105n << 40n])), false);
    assert.throws(() => c.accept(r(80, 100)), bad);
    assert.equal(c.accept(r(110, 40, [120n << 40n])), true);
    assert.equal(c.received, 2);
    assert.throws(() => c.accept(r(150, 1)), bad);
    assert.throws(() => buildQueryChannelRange(CHAIN, 0, 0, false), GossipError);
  });
  it('two graphs converge by range query + short id queries', T, async () => {
    const a = await node();
    const b = await node();
    const chans = [1, 2, 3, 4].map((i) => makeChannel(priv(i), priv(i + 10), BigInt(100 + i) << 40n));
    for (const ch of chans) {
      a.funding.outputs.set(ch.scid, ch.funding);
      b.funding.outputs.set(ch.scid, ch.funding);
      await a.p.submit(ch.ann.raw);
      await a.p.submit(makeUpdate(ch, 0).raw);
      await a.p.submit(makeUpdate(ch, 1).raw);
      await a.p.submit(makeNodeAnn(priv(ch === chans[0] ? 1 : 11)).raw);
    }
    // b already has an older update of one channel.
    await b.p.submit(chans[0]!.ann.raw);
    await b.p.submit(makeUpdate(chans[0]!, 0, { timestamp: NOW_S - 1000 }).raw);
    const q = buildQueryChannelRange(CHAIN, 0, 0xffffffff, true);
    const collector = new ChannelRangeCollector(q);
    const wants = answerQueryChannelRange(a.p.graph, q, CHAIN).flatMap((r) => {
      collector.accept(r);
      return scidsToQuery(r, b.p.graph);
    });
    assert.equal(collector.done, true);
    for (const sq of buildScidQueries(CHAIN, wants, true)) {
      const answer = answerQueryShortChannelIds(a.p.graph, sq, CHAIN);
      for (const m of answer.messages) await b.p.submit(m);
    }
    assert.deepEqual(b.p.graph.stats(), a.p.graph.stats());
  });
});

describe('GossipSyncSession and QueryGuard', () => {
  it('drives a full initial sync: range, then one id query at a time, with progress', T, async () => {
    const a = await node();
    const b = await node();
    for (let i = 1; i <= 7; i++) {
      const ch = makeChannel(priv(i), priv(i + 20), BigInt(100 + i) << 40n);
      a.funding.outputs.set(ch.scid, ch.funding);
      b.funding.outputs.set(ch.scid, ch.funding);
      await a.p.submit(ch.ann.raw);
      await a.p.submit(makeUpdate(ch, 0).raw);
      await a.p.submit(makeUpdate(ch, 1).raw);
      await a.p.submit(makeNodeAnn(priv(i)).raw);
    }
    for (const extended of [true, false]) {
      const fresh = extended ? b : await node();
      if (!extended) for (const [s, f] of b.funding.outputs) fresh.funding.outputs.set(s, f);
      const session = new GossipSyncSession(fresh.p.graph, { chainHash: CHAIN, extended, maxIdsPerQuery: 3 });
      const guard = new QueryGuard();
      const q = session.start();
      assert.throws(() => session.start(), GossipError);
      let next: ReturnType<typeof session.onReplyChannelRange>;
      const replies = answerQueryChannelRange(a.p.graph, q, CHAIN, { maxIdsPerReply: 2 });
      for (const r of replies) {
        assert.equal(session.progress().phase, 'range');
        next = session.onReplyChannelRange(r);
      }
      const seen: number[] = [];
      while (next) {
        guard.begin('b', 'query_short_channel_ids');
        assert.throws(
          () => guard.begin('b', 'query_short_channel_ids'),
          (e: unknown) => e instanceof GossipError && e.code === 'GOSSIP_QUERY_IN_FLIGHT',
        );
        const answer = answerQueryShortChannelIds(a.p.graph, next, CHAIN);
        for (const m of answer.messages) await fresh.p.submit(m);
        guard.end('b', 'query_short_channel_ids');
        seen.push(session.progress().queriesDone);
        next = session.onReplyShortChannelIdsEnd(answer.end);
      }
      assert.equal(session.done, true);
      assert.deepEqual(seen, [0, 1, 2]);
      assert.deepEqual(session.progress(), {
        phase: 'done',
        listed: 7,
        wanted: 7,
        queriesDone: 3,
        queriesTotal: 3,
        incomplete: false,
      });
      assert.deepEqual(fresh.p.graph.stats(), a.p.graph.stats());
      assert.throws(
        () =>
          session.onReplyShortChannelIdsEnd({
            type: 'reply_short_channel_ids_end',
            chainHash: CHAIN,
            fullInformation: 1,
            tlvs: { unknown: [] },
          }),
        GossipError,
      );
    }
  });
  it('an up-to-date peer needs no id queries; full_information 0 is reported', T, async () => {
    const a = await node();
    const ch = makeChannel(priv(1), priv(2), 100n << 40n);
    a.funding.outputs.set(ch.scid, ch.funding);
    await a.p.submit(ch.ann.raw);
    await a.p.submit(makeUpdate(ch, 0).raw);
    const session = new GossipSyncSession(a.p.graph, { chainHash: CHAIN, extended: true });
    const q = session.start();
    let next: ReturnType<typeof session.onReplyChannelRange>;
    for (const r of answerQueryChannelRange(a.p.graph, q, CHAIN)) next = session.onReplyChannelRange(r);
    assert.equal(next!, undefined);
    assert.equal(session.done, true);
    const s2 = new GossipSyncSession((await node()).p.graph, { chainHash: CHAIN, extended: true });
    const q2 = s2.start();
    let n2: ReturnType<typeof s2.onReplyChannelRange>;
    for (const r of answerQueryChannelRange(a.p.graph, q2, CHAIN)) n2 = s2.onReplyChannelRange(r);
    assert.ok(n2!);
    s2.onReplyShortChannelIdsEnd({
      type: 'reply_short_channel_ids_end',
      chainHash: CHAIN,
      fullInformation: 0,
      tlvs: { unknown: [] },
    });
    assert.equal(s2.progress().incomplete, true);
  });
});
