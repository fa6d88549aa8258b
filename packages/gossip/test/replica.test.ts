import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GossipError,
  GossipProcessor,
  type GraphDelta,
  GraphReplica,
  type RoutingGraph,
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
  scid,
  type TestChannel,
} from './helpers.js';

const T = { timeout: 20_000 };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A canonical, comparable dump of a graph (everything but local arrival times). */
export function dump(g: RoutingGraph): unknown {
  const channels = [...g.channels()]
    .sort((a, b) => (a.scid < b.scid ? -1 : 1))
    .map((c) => ({
      scid: c.scid.toString(),
      ann: hex(c.announcement),
      cap: c.capacitySat.toString(),
      spent: c.spentAtHeight ?? null,
      u: c.updates.map((u) => (u ? hex(u.raw) : null)),
    }));
  const nodes = [...g.nodes()]
    .map((n) => ({
      id: hex(n.nodeId),
      ann: n.announcement ? hex(n.announcement.raw) : null,
      ch: [...n.channels].sort().map(String),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { channels, nodes };
}

async function populated() {
  const clock = new FakeClock();
  const funding = new FakeFunding();
  const p = new GossipProcessor({ funding, clock }, { chainHash: CHAIN });
  await p.start();
  const chans: TestChannel[] = [];
  for (let i = 0; i < 12; i++) {
    const ch = makeChannel(priv(1 + (i % 5)), priv(10 + i), scid(100 + i, i));
    funding.outputs.set(ch.scid, ch.funding);
    chans.push(ch);
  }
  const submitSome = async (from: number, to: number) => {
    for (const ch of chans.slice(from, to)) {
      assert.equal((await p.submit(ch.ann.raw)).accepted, true);
      await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 100 }).raw);
      await p.submit(makeUpdate(ch, 1, { timestamp: NOW_S - 90 }).raw);
    }
  };
  return { p, chans, submitSome, clock };
}

describe('snapshot + deltas -> identical copy', () => {
  it('a copy built from a snapshot taken mid-way plus the deltas equals the original', T, async () => {
    const { p, chans, submitSome } = await populated();
    await submitSome(0, 6);
    await p.submit(makeNodeAnn(priv(1)).raw);
    const replica = new GraphReplica();
    p.subscribe((d, seq) => replica.applyDeltas(d, seq));
    // Deltas arrive while the snapshot streams: they are buffered, and old ones skipped.
    const snap = p.snapshot(5);
    assert.ok(snap.batches.length > 3, 'several batches');
    replica.beginSnapshot(snap.seq);
    await submitSome(6, 9);
    for (const b of snap.batches) replica.applySnapshotBatch(b);
    assert.equal(replica.ready, false);
    assert.equal(replica.endSnapshot(), 'applied');
    assert.equal(replica.ready, true);
    await submitSome(9, 12);
    await p.submit(makeNodeAnn(priv(2)).raw);
    await p.submit(makeUpdate(chans[0]!, 0, { timestamp: NOW_S - 10, feeBaseMsat: 7 }).raw);
    await p.markSpent(chans[1]!.scid, 1000);
    await p.markSpent(chans[2]!.scid, 1000);
    await p.onBlock(1072);
    assert.deepEqual(dump(replica.graph), dump(p.graph));
    assert.equal(replica.graph.channelCount, 10);
    // A copy from a fresh snapshot equals too.
    const again = new GraphReplica();
    const s2 = p.snapshot(7);
    again.beginSnapshot(s2.seq);
    for (const b of s2.batches) again.applySnapshotBatch(b);
    again.endSnapshot();
    assert.deepEqual(dump(again.graph), dump(p.graph));
  });
  it('a snapshot taken while a batch is being saved matches its seq', T, async () => {
    const { p, chans, submitSome } = await populated();
    await submitSome(0, 3);
    await p.markSpent(chans[0]!.scid, 1000);
    // A persistence whose save is held open: the removal is applied but not yet stored.
    let release: () => void = () => {};
    const held = new GossipProcessor(
      {
        funding: new FakeFunding(),
        clock: new FakeClock(),
        persistence: {
          save: () => new Promise<void>((r) => (release = r)),
          async *load() {
            yield* p.snapshot().batches;
          },
        },
      },
      { chainHash: CHAIN },
    );
    await held.start();
    const replica = new GraphReplica();
    held.subscribe((d, seq) => replica.applyDeltas(d, seq));
    const removal = held.onBlock(1072);
    const snap = held.snapshot();
    replica.beginSnapshot(snap.seq);
    for (const b of snap.batches) replica.applySnapshotBatch(b);
    replica.endSnapshot();
    release();
    assert.equal((await removal).length > 0, true);
    assert.equal(replica.ready, true);
    assert.deepEqual(dump(replica.graph), dump(held.graph));
  });
  it('a missing batch makes the copy not ready', T, async () => {
    const { p, submitSome } = await populated();
    const replica = new GraphReplica();
    const snap = p.snapshot();
    replica.beginSnapshot(snap.seq);
    replica.endSnapshot();
    const got: [readonly GraphDelta[], number][] = [];
    p.subscribe((d, seq) => got.push([d, seq]));
    await submitSome(0, 2);
    assert.equal(replica.applyDeltas(...got[0]!), 'applied');
    assert.equal(replica.applyDeltas(...got[0]!), 'old');
    assert.equal(replica.applyDeltas(...got[2]!), 'gap');
    assert.equal(replica.ready, false);
  });
  it('rejects deltas that do not fit the graph', T, () => {
    const r = new GraphReplica();
    r.beginSnapshot(0);
    assert.throws(
      () => r.applySnapshotBatch([{ kind: 'channel_spent', scid: 1n, height: 1 }]),
      (e: unknown) => e instanceof GossipError && e.code === 'GOSSIP_BAD_DELTA',
    );
  });
});

describe('persistence', () => {
  it('saves deltas and loads them back at start', T, async () => {
    const saved: GraphDelta[][] = [];
    const persistence = {
      save: async (d: readonly GraphDelta[]) => {
        saved.push([...d]);
      },
      load: async function* () {
        yield* saved;
      },
    };
    const funding = new FakeFunding();
    const clock = new FakeClock();
    const a = new GossipProcessor({ funding, clock, persistence }, { chainHash: CHAIN });
    await a.start();
    const ch = makeChannel(priv(1), priv(2), scid(100));
    funding.outputs.set(ch.scid, ch.funding);
    await a.submit(ch.ann.raw);
    await a.submit(makeUpdate(ch, 1).raw);
    await a.submit(makeNodeAnn(priv(2)).raw);
    const b = new GossipProcessor({ funding, clock, persistence }, { chainHash: CHAIN });
    await b.start();
    assert.deepEqual(dump(b.graph), dump(a.graph));
    await assert.rejects(
      new GossipProcessor({ funding }, { chainHash: CHAIN }).submit(ch.ann.raw),
      (e: unknown) => e instanceof GossipError && e.code === 'GOSSIP_NOT_STARTED',
    );
  });
});
