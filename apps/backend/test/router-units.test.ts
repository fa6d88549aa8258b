import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ChainEvents, OutPoint, ScidOutput, WatchOptions } from '@shoal/chain';
import { fundingScriptPubKey, type GraphDelta, RoutingGraph } from '@shoal/gossip';
import { openSqliteStore } from '@shoal/store';
import { ChainFundingLookup } from '../src/chain.js';
import {
  ChannelSpendWatch,
  GossipSyncTracker,
  StoreGraphPersistence,
  splitBySize,
} from '../src/router/index.js';
import { testLogger } from './harness.js';
import {
  dump,
  FundingChain,
  hex,
  nodeAnn,
  priv,
  pub,
  reannounce,
  type TestChannel,
  update,
} from './router-harness.js';

const T = { timeout: 20_000 };

/** A chain stand-in recording watches, with events the test fires. */
class FakeChain {
  readonly watches: { outpoint: OutPoint; options: WatchOptions | undefined }[] = [];
  readonly unwatched: string[] = [];
  readonly listeners = new Map<string, ((e: unknown) => void)[]>();
  async watchSpend(outpoint: OutPoint, options?: WatchOptions): Promise<string> {
    this.watches.push({ outpoint, options });
    return options?.id ?? 'x';
  }
  unwatch(id: string): void {
    this.unwatched.push(id);
  }
  async getTip() {
    return { height: 500, hash: new Uint8Array(32) };
  }
  on<K extends keyof ChainEvents>(event: K, listener: (e: ChainEvents[K]) => void): () => void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as (e: unknown) => void);
    this.listeners.set(event, list);
    return () =>
      this.listeners.set(
        event,
        (this.listeners.get(event) ?? []).filter((l) => l !== listener),
      );
  }
  emit<K extends keyof ChainEvents>(event: K, e: ChainEvents[K]): void {
    for (const l of this.listeners.get(event) ?? []) l(e);
  }
}

const scid = (block: number, tx: number, out: number): bigint =>
  (BigInt(block) << 40n) | (BigInt(tx) << 16n) | BigInt(out);
const outpoint = { txid: new Uint8Array(32).fill(7), vout: 0 };
const output = (unspent: boolean): ScidOutput => ({
  outpoint,
  value: 1000n,
  script: new Uint8Array(34),
  unspent,
});

describe('ChannelSpendWatch', () => {
  test('watches without a second look-up when no block came since the funding check', T, async () => {
    const chain = new FakeChain();
    const marked: [bigint, number][] = [];
    let lookups = 0;
    const w = new ChannelSpendWatch({
      chain,
      output: async () => {
        lookups++;
        return output(true);
      },
      recent: () => ({ output: output(true), blocksSeen: 0 }),
      target: { markSpent: async (s, h) => marked.push([s, h]), onBlock: async () => undefined },
      logger: testLogger(),
    });
    w.start([]);
    w.onDeltas([
      { kind: 'channel_added', scid: scid(100, 1, 0), announcement: new Uint8Array(0), capacitySat: 1n },
    ]);
    await w.idle();
    assert.equal(lookups, 0);
    assert.deepEqual(chain.watches[0]?.options, { id: `gossip-funding:${scid(100, 1, 0)}` });
    // The chain reports the spend: the channel is marked spent at that height.
    chain.emit('spent', {
      watchId: `gossip-funding:${scid(100, 1, 0)}`,
      outpoint,
      spendingTxid: new Uint8Array(32),
      spendingTx: new Uint8Array(0),
      inputIndex: 0,
      height: 321,
      blockHash: new Uint8Array(32),
    });
    chain.emit('spent', { ...({} as ChainEvents['spent']), watchId: 'someone-else', height: 1 });
    await w.idle();
    assert.deepEqual(marked, [[scid(100, 1, 0), 321]]);
    w.onDeltas([{ kind: 'channel_removed', scid: scid(100, 1, 0), reason: 'spent' }]);
    assert.deepEqual(chain.unwatched, [`gossip-funding:${scid(100, 1, 0)}`]);
    await w.stop();
  });

  test(
    'a block between the check and the watch: looked up again, re-watched from the funding block',
    T,
    async () => {
      const chain = new FakeChain();
      const blocks: number[] = [];
      const w = new ChannelSpendWatch({
        chain,
        output: async () => output(false), // spent by that block
        recent: () => ({ output: output(true), blocksSeen: 0 }),
        target: { markSpent: async () => undefined, onBlock: async (h) => blocks.push(h) },
        logger: testLogger(),
      });
      w.start([]);
      chain.emit('block', { height: 501, hash: new Uint8Array(32) });
      w.track(scid(100, 1, 0));
      await w.idle();
      assert.deepEqual(blocks, [501]);
      const id = `gossip-funding:${scid(100, 1, 0)}`;
      assert.deepEqual(
        chain.watches.map((x) => x.options),
        [{ id }, { id, fromHeight: 100 }],
      );
      assert.deepEqual(chain.unwatched, [id]);
      await w.stop();
    },
  );

  test(
    'at start, a channel already spent is watched from its funding block; a vanished one is marked spent',
    T,
    async () => {
      const chain = new FakeChain();
      const marked: [bigint, number][] = [];
      const w = new ChannelSpendWatch({
        chain,
        output: async (s) => (s === scid(200, 1, 0) ? output(false) : undefined),
        target: { markSpent: async (s, h) => marked.push([s, h]), onBlock: async () => undefined },
        logger: testLogger(),
      });
      w.start([scid(200, 1, 0), scid(300, 1, 0)]);
      await w.idle();
      assert.deepEqual(
        chain.watches.map((x) => x.options),
        [{ id: `gossip-funding:${scid(200, 1, 0)}`, fromHeight: 200 }],
      );
      assert.deepEqual(marked, [[scid(300, 1, 0), 500]]);
      await w.stop();
      assert.equal(chain.unwatched.length, 2);
    },
  );
});

describe('StoreGraphPersistence', () => {
  test('concurrent saves share one transaction; load replays the graph; removals delete', T, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-graph-'));
    let writes = 0;
    const store = await openSqliteStore({
      path: join(dir, 'shoal.sqlite'),
      metrics: { transaction: (kind) => void (kind === 'write' && writes++) },
    });
    try {
      const p = new StoreGraphPersistence(store);
      const base: TestChannel = {
        scid: 0n,
        ann: { message: {} as TestChannel['ann']['message'], raw: new Uint8Array(0) },
        nodes: [priv(1), priv(2)],
        bitcoin: [priv(3), priv(4)],
        outpoint,
        capacitySat: 1000n,
      };
      const a = reannounce(base, scid(10, 1, 0));
      const b = reannounce({ ...base, nodes: [priv(2), priv(5)] }, scid(11, 1, 0));
      const batches: GraphDelta[][] = [
        [{ kind: 'channel_added', scid: a.scid, announcement: a.ann.raw, capacitySat: 1000n }],
        [{ kind: 'channel_added', scid: b.scid, announcement: b.ann.raw, capacitySat: 2000n }],
        [{ kind: 'channel_updated', scid: a.scid, direction: 0, update: update(a, 0).raw }],
        [{ kind: 'channel_updated', scid: b.scid, direction: 1, update: update(b, 1).raw }],
        [{ kind: 'node_updated', nodeId: pub(priv(5)), announcement: nodeAnn(priv(5), 'five').raw }],
        [{ kind: 'node_updated', nodeId: pub(priv(1)), announcement: nodeAnn(priv(1), 'one').raw }],
        [{ kind: 'channel_spent', scid: a.scid, height: 50 }],
      ];
      const before = writes;
      await Promise.all(batches.map((d) => p.save(d)));
      assert.ok(
        writes - before <= 2,
        `group commit: ${writes - before} transactions for ${batches.length} saves`,
      );
      const original = new RoutingGraph();
      for (const d of batches) original.apply(d);
      const loaded = new RoutingGraph();
      for await (const d of p.load()) loaded.apply(d);
      // Spent marks are found again from the chain, not stored.
      original.channel(a.scid)!.spentAtHeight = undefined;
      assert.deepEqual(dump(loaded), dump(original));
      // Channel b removed with node 5 (left without channels).
      await p.save([
        { kind: 'channel_removed', scid: b.scid, reason: 'stale' },
        { kind: 'node_removed', nodeId: pub(priv(5)) },
      ]);
      const after = new RoutingGraph();
      for await (const d of p.load()) after.apply(d);
      assert.equal(after.channelCount, 1);
      assert.equal(after.node(pub(priv(5))), undefined);
      assert.equal(await store.read((tx) => tx.graph.getNodeAnnouncement(pub(priv(5)))), undefined);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('delta batches and sync decisions', () => {
  test('splitBySize keeps order and stays under the limit', T, () => {
    const d = (n: number): GraphDelta => ({
      kind: 'channel_updated',
      scid: BigInt(n),
      direction: 0,
      update: new Uint8Array(100),
    });
    const parts = splitBySize([d(1), d(2), d(3), d(4), d(5)], 250);
    assert.deepEqual(
      parts.map((p) => p.map((x) => Number(x.kind === 'channel_updated' ? x.scid : -1))),
      [[1, 2], [3, 4], [5]],
    );
    assert.deepEqual(splitBySize([], 250), []);
  });

  test('GossipSyncTracker: at most maxConcurrent, none after one completed', T, () => {
    const t = new GossipSyncTracker(testLogger(), { maxConcurrent: 2 });
    assert.equal(t.wantSync('a'), true);
    assert.equal(t.wantSync('a'), true);
    assert.equal(t.wantSync('b'), true);
    assert.equal(t.wantSync('c'), false);
    t.peerGone('b');
    assert.equal(t.wantSync('c'), true);
    const report = { listed: 1, wanted: 1, queriesDone: 1, queriesTotal: 1, incomplete: false };
    t.report({ nodeId: Buffer.from('0a'.repeat(33), 'hex'), phase: 'failed', ...report });
    t.report({ nodeId: pub(priv(1)), phase: 'done', ...report });
    assert.equal(t.view().completed, 1);
    assert.deepEqual(
      t.view().peers.map((p) => p.phase),
      ['requested', 'requested', 'done', 'failed'],
    );
    assert.equal(t.wantSync('d'), false);
  });
});

describe('ChainFundingLookup', () => {
  test(
    'one block fetch for the channels it funds; script, value, spent; nothing where there is no output',
    T,
    async () => {
      const fc = new FundingChain();
      await fc.start(2);
      try {
        const chans = await fc.fund(
          [
            [priv(1), priv(2)],
            [priv(2), priv(3)],
            [priv(3), priv(4)],
          ],
          50,
          700_000n,
        );
        let blockFetches = 0;
        const counting = {
          getBlockHash: (h: number) => fc.chain.getBlockHash(h),
          getUtxo: (o: OutPoint) => fc.chain.getUtxo(o),
          getBlock: (h: Uint8Array) => {
            blockFetches++;
            return fc.chain.getBlock(h);
          },
        };
        const lookup = new ChainFundingLookup(counting, () => 7);
        const outs = await Promise.all(chans.map((c) => lookup.lookup(c.scid)));
        assert.equal(blockFetches, 1);
        for (const [i, o] of outs.entries()) {
          assert.equal(o?.amountSat, 700_000n);
          assert.equal(o?.spent, false);
          assert.equal(hex(o?.script ?? new Uint8Array(0)), hex(fundingScript(chans[i]!)));
        }
        assert.equal(lookup.takeRecent(chans[0]!.scid)?.blocksSeen, 7);
        assert.equal(lookup.takeRecent(chans[0]!.scid), undefined);
        await fc.spend(chans[1]!);
        assert.equal((await lookup.lookup(chans[1]!.scid))?.spent, true);
        assert.equal(await lookup.lookup(chans[0]!.scid + 50n), undefined); // no such output
        assert.equal(await lookup.lookup(chans[0]!.scid + (9n << 16n)), undefined); // no such tx
        assert.equal(await lookup.lookup(10_000n << 40n), undefined); // no such block
      } finally {
        await fc.stop();
      }
    },
  );
});

function fundingScript(ch: TestChannel): Uint8Array {
  return fundingScriptPubKey(pub(ch.bitcoin[0]), pub(ch.bitcoin[1]));
}
