import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '@shoal/wire';
import {
  decodeGossip,
  type Gossip,
  GossipDeduplicator,
  GossipError,
  GossipProcessor,
  GraphReplica,
  gossipForFilter,
  gossipIdentity,
  PenaltyBox,
  precheckGossip,
  queueDeltas,
  RebroadcastQueue,
  RebroadcastScheduler,
} from '../src/index.js';
import {
  CHAIN,
  FakeClock,
  FakeFunding,
  flip,
  makeChannel,
  makeNodeAnn,
  makeUpdate,
  NOW_S,
  OTHER_CHAIN,
  priv,
  scid,
} from './helpers.js';

const T = { timeout: 10_000 };

function gossip(raw: Uint8Array): Gossip {
  const d = decodeGossip(raw);
  assert.ok(d.ok);
  return d.gossip;
}

describe('frontend signature pre-check', () => {
  const ch = makeChannel(priv(1), priv(2), scid(100));
  const nodes = (s: bigint) =>
    s === ch.scid ? { nodeId1: ch.ann.message.nodeId1, nodeId2: ch.ann.message.nodeId2 } : undefined;
  it('passes valid gossip and checks what it can without the chain', T, () => {
    const a = precheckGossip(ch.ann.raw, { chainHash: CHAIN });
    assert.ok(a.ok && a.checked);
    const u = precheckGossip(makeUpdate(ch, 1).raw, { chainHash: CHAIN, channelNodes: nodes });
    assert.ok(u.ok && u.checked);
    assert.deepEqual(u.signer, ch.ann.message.nodeId2, 'direction 1 is checked against node_id_2');
    const unknown = precheckGossip(makeUpdate(ch, 1, { shortChannelId: scid(5) }).raw, {
      chainHash: CHAIN,
      channelNodes: nodes,
    });
    assert.ok(unknown.ok && !unknown.checked, 'update of an unknown channel is left to the backend');
    assert.equal(unknown.signer, undefined);
    assert.ok(precheckGossip(makeNodeAnn(priv(1)).raw, { chainHash: CHAIN }).ok);
  });
  it('rejects bad signatures, wrong chain, malformed bytes, with typed reasons', T, () => {
    const reason = (raw: Uint8Array) => {
      const r = precheckGossip(raw, { chainHash: CHAIN, channelNodes: nodes });
      return r.ok ? 'ok' : r.reason;
    };
    assert.equal(reason(flip(ch.ann.raw, 100)), 'bad_signature');
    assert.equal(reason(flip(makeUpdate(ch, 0).raw, 10)), 'bad_signature');
    assert.equal(reason(makeUpdate(ch, 0, {}, ch.nodePrivs[1]).raw), 'bad_signature');
    assert.equal(reason(flip(makeNodeAnn(priv(3)).raw, 80)), 'bad_signature');
    assert.equal(
      reason(makeChannel(priv(1), priv(2), scid(1), { chainHash: OTHER_CHAIN }).ann.raw),
      'unknown_chain',
    );
    assert.equal(reason(makeUpdate(ch, 0, { chainHash: OTHER_CHAIN }).raw), 'unknown_chain');
    assert.equal(reason(ch.ann.raw.subarray(0, 100)), 'malformed');
    assert.equal(
      reason(makeChannel(priv(1), priv(2), scid(1), { swapOrder: true }).ann.raw),
      'bad_node_order',
    );
  });
});

describe('de-duplication and origins', () => {
  async function setup() {
    const funding = new FakeFunding();
    const p = new GossipProcessor({ funding, clock: new FakeClock() }, { chainHash: CHAIN });
    await p.start();
    const ch = makeChannel(priv(1), priv(2), scid(100));
    funding.outputs.set(ch.scid, ch.funding);
    await p.submit(ch.ann.raw);
    const queue = new RebroadcastQueue();
    return { p, ch, queue, dedup: new GossipDeduplicator(p.graph, queue) };
  }
  it('known, in flight from any peer, pending rebroadcast; every origin acked', T, async () => {
    const { p, ch, queue, dedup } = await setup();
    assert.equal(dedup.offer('A', gossip(ch.ann.raw)), 'known');
    const u = gossip(makeUpdate(ch, 0, { timestamp: NOW_S - 10 }).raw);
    assert.equal(dedup.offer('A', u), 'new');
    assert.equal(dedup.offer('B', u), 'in_flight');
    assert.equal(dedup.offer('A', u), 'in_flight');
    const newer = gossip(makeUpdate(ch, 0, { timestamp: NOW_S - 5 }).raw);
    assert.equal(dedup.offer('C', newer), 'new', 'a newer version is forwarded too');
    assert.equal(dedup.inFlight, 2);
    const decision = await p.submit(u.raw);
    assert.ok(decision.accepted);
    assert.deepEqual(dedup.decide(GossipDeduplicator.key(u), true).sort(), ['A', 'B']);
    assert.deepEqual(dedup.decide(GossipDeduplicator.key(u), true), [], 'acked once');
    assert.equal(dedup.offer('D', u), 'pending');
    assert.deepEqual([...queue.find(`cu:${ch.scid}:0`, NOW_S - 10)!.origins].sort(), ['A', 'B', 'D']);
    queue.compact(queue.lastSeq);
    assert.equal(dedup.offer('E', u), 'known', 'after rebroadcast the graph copy knows it');
    assert.deepEqual(dedup.decide(GossipDeduplicator.key(newer), false), ['C']);
    assert.equal(queue.find(`cu:${ch.scid}:0`, NOW_S - 5), undefined, 'rejected gossip is not queued');
  });
  it('follows a replica across snapshots', T, async () => {
    const { p, ch, queue } = await setup();
    const replica = new GraphReplica();
    const dedup = new GossipDeduplicator(replica, queue);
    assert.equal(dedup.offer('A', gossip(ch.ann.raw)), 'new');
    const snap = p.snapshot();
    replica.beginSnapshot(snap.seq);
    for (const b of snap.batches) replica.applySnapshotBatch(b);
    replica.endSnapshot();
    dedup.clear();
    assert.equal(dedup.offer('A', gossip(ch.ann.raw)), 'known');
  });
});

describe('penalties for invalid gossip', () => {
  it('warns first, then ignores for a while, and forgives', T, () => {
    const clock = new FakeClock();
    const box = new PenaltyBox(clock, { ignoreMs: 60_000, forgiveMs: 600_000 });
    assert.equal(box.recordInvalid('A'), 'warn');
    assert.equal(box.isIgnored('A'), false);
    assert.equal(box.recordInvalid('A'), 'ignore');
    assert.equal(box.isIgnored('A'), true);
    assert.equal(box.isIgnored('B'), false);
    clock.advanceSeconds(61);
    assert.equal(box.isIgnored('A'), false);
    clock.advanceSeconds(601);
    assert.equal(box.recordInvalid('A'), 'warn', 'forgiven after forgiveMs');
    clock.advanceSeconds(601);
    box.sweep();
    assert.equal(box.recordInvalid('A'), 'warn');
  });
});

describe('queueing deltas for rebroadcast', () => {
  it('queues each added message under the identity its decoding gives; a truncated one throws', T, () => {
    const ch = makeChannel(priv(1), priv(2), scid(100));
    const upd = makeUpdate(ch, 1).raw;
    const node = makeNodeAnn(priv(1)).raw;
    const nodeId = (decodeGossip(node) as { gossip: Extract<Gossip, { kind: 'node_announcement' }> }).gossip
      .message.nodeId;
    const queue = new RebroadcastQueue();
    queueDeltas(queue, [
      { kind: 'channel_added', scid: ch.scid, capacitySat: 1n, announcement: ch.ann.raw },
      { kind: 'channel_updated', scid: ch.scid, direction: 1, update: upd },
      { kind: 'node_updated', nodeId, announcement: node },
    ]);
    for (const raw of [ch.ann.raw, upd, node]) {
      const d = decodeGossip(raw);
      assert.ok(d.ok);
      const id = gossipIdentity(d.gossip);
      assert.ok(queue.find(id.id, id.timestamp), `${id.id}@${id.timestamp} queued`);
    }
    assert.equal(queue.after(0)[0]?.kind, 'channel_announcement', 'the announcement moved before its update');
    assert.throws(
      () =>
        queueDeltas(queue, [
          { kind: 'channel_updated', scid: ch.scid, direction: 0, update: upd.subarray(0, 100) },
        ]),
      (e: unknown) => e instanceof GossipError && e.code === 'GOSSIP_BAD_DELTA',
    );
  });
});

describe('staggered rebroadcast', () => {
  async function setup() {
    const clock = new FakeClock();
    const funding = new FakeFunding();
    const p = new GossipProcessor({ funding, clock }, { chainHash: CHAIN });
    await p.start();
    const queue = new RebroadcastQueue();
    p.subscribe((d) => queueDeltas(queue, d));
    const sent: [string, string[]][] = [];
    const phases: Record<string, number> = { A: 0, B: 30_000, C: 45_000 };
    const s = new RebroadcastScheduler(
      { queue, clock, send: (peer, ms) => sent.push([peer, ms.map((m) => String(decodeMessage(m).type))]) },
      { intervalMs: 60_000, phase: (peer) => phases[peer] ?? 0 },
    );
    for (const peer of ['A', 'B', 'C']) s.addPeer(peer);
    const ch = makeChannel(priv(1), priv(2), scid(100));
    funding.outputs.set(ch.scid, ch.funding);
    return { clock, p, queue, s, sent, ch };
  }
  it('each connection flushes at its own phase, announcement first, never to the origin', T, async () => {
    const { clock, p, queue, s, sent, ch } = await setup();
    s.setFilter('A', { firstTimestamp: 0, timestampRange: 0xffffffff });
    s.setFilter('B', { firstTimestamp: 0, timestampRange: 0xffffffff });
    await p.submit(ch.ann.raw);
    assert.equal(s.flushDue(), 0, 'A is due now, but an announcement waits for its first update');
    const u = makeUpdate(ch, 1);
    await p.submit(u.raw);
    queue.push(
      { kind: 'channel_update', id: `cu:${ch.scid}:1`, timestamp: u.message.timestamp, scid: ch.scid },
      u.raw,
      ['B'],
    );
    await p.submit(makeNodeAnn(priv(2)).raw);
    assert.equal(s.flushDue(), 0, 'nobody else is due yet');
    clock.advanceSeconds(30);
    assert.equal(s.flushDue(), 2);
    assert.deepEqual(
      sent,
      [['B', ['channel_announcement', 'node_announcement']]],
      'update not sent back to B',
    );
    clock.advanceSeconds(15);
    assert.equal(s.flushDue(), 0, 'C sent no gossip_timestamp_filter: nothing relayed');
    clock.advanceSeconds(15);
    assert.equal(s.flushDue(), 3);
    assert.deepEqual(sent[1], ['A', ['channel_announcement', 'channel_update', 'node_announcement']]);
    clock.advanceSeconds(60);
    assert.equal(s.flushDue(), 0, 'each item once per connection');
    assert.equal(queue.size, 0, 'queue compacted once every connection passed');
  });
  it('honours each peer timestamp filter; our own gossip ignores filters', T, async () => {
    const { clock, p, queue, s, sent, ch } = await setup();
    s.setFilter('A', { firstTimestamp: NOW_S - 100, timestampRange: 50 });
    s.setFilter('B', { firstTimestamp: NOW_S - 10, timestampRange: 100 });
    await p.submit(ch.ann.raw);
    await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 60 }).raw);
    const own = makeNodeAnn(priv(1), NOW_S - 1000);
    queue.push({ kind: 'node_announcement', id: 'na:own', timestamp: NOW_S - 1000 }, own.raw, [], true);
    clock.advanceSeconds(120);
    s.flushDue();
    assert.deepEqual(sent.sort(), [
      ['A', ['channel_announcement', 'channel_update', 'node_announcement']],
      ['B', ['node_announcement']],
      ['C', ['node_announcement']],
    ]);
  });
  it('drops queued gossip of spent channels; timers flush without a manual call', T, async () => {
    const { p, queue, s, sent, ch } = await setup();
    s.setFilter('A', { firstTimestamp: 0, timestampRange: 0xffffffff });
    await p.submit(ch.ann.raw);
    await p.submit(makeUpdate(ch, 0).raw);
    await p.markSpent(ch.scid, 10);
    assert.equal(queue.size, 0);
    let onSent = (): void => {};
    const flushed = new Promise<void>((resolve) => {
      onSent = resolve;
    });
    const real = new RebroadcastScheduler(
      {
        queue,
        clock: { now: () => Date.now() },
        send: (peer, ms) => {
          sent.push([peer, ms.map((m) => String(decodeMessage(m).type))]);
          onSent();
        },
      },
      { intervalMs: 60_000, phase: () => 0 },
    );
    real.addPeer('Z');
    real.setFilter('Z', { firstTimestamp: 0, timestampRange: 0xffffffff });
    await p.submit(makeUpdate(ch, 0).raw);
    await p.submit(makeUpdate(ch, 1, { channelFlags: 3 }).raw);
    real.start();
    await flushed;
    real.stop();
    s.stop();
    assert.deepEqual(
      sent,
      [['Z', ['channel_update']]],
      'a disabling update of a spent channel still goes out',
    );
  });
});

describe('gossip_timestamp_filter backfill', () => {
  it('sends stored gossip in the filter, announcements first, none without updates', T, async () => {
    const funding = new FakeFunding();
    const p = new GossipProcessor({ funding, clock: new FakeClock() }, { chainHash: CHAIN });
    await p.start();
    const a = makeChannel(priv(1), priv(2), scid(100));
    const b = makeChannel(priv(1), priv(3), scid(101));
    const c = makeChannel(priv(4), priv(5), scid(102));
    for (const ch of [a, b, c]) {
      funding.outputs.set(ch.scid, ch.funding);
      await p.submit(ch.ann.raw);
    }
    await p.submit(makeUpdate(a, 0, { timestamp: NOW_S - 500 }).raw);
    await p.submit(makeUpdate(a, 1, { timestamp: NOW_S - 50 }).raw);
    await p.submit(makeUpdate(b, 0, { timestamp: NOW_S - 5000 }).raw);
    await p.submit(makeNodeAnn(priv(1), NOW_S - 60).raw);
    const types = (ms: Uint8Array[]) => ms.map((m) => String(decodeMessage(m).type));
    assert.deepEqual(types(gossipForFilter(p.graph, { firstTimestamp: NOW_S - 100, timestampRange: 100 })), [
      'channel_announcement',
      'channel_update',
      'node_announcement',
    ]);
    assert.equal(gossipForFilter(p.graph, { firstTimestamp: 0, timestampRange: 0xffffffff }).length, 6);
    assert.equal(gossipForFilter(p.graph, { firstTimestamp: 0xffffffff, timestampRange: 0 }).length, 0);
  });
});
