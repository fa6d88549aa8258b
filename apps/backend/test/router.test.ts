import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PATHS } from '@shoal/front-protocol';
import { encodeMessage } from '@shoal/wire';
import type { GossipSyncResult } from '../src/api/index.js';
import { api, REMOTE_INIT, TestFrontend, waitUntil } from './harness.js';
import {
  dump,
  FundingChain,
  type GossipBackend,
  GossipClient,
  hex,
  nodeAnn,
  priv,
  pub,
  reannounce,
  startGossipBackend,
  type TestChannel,
  update,
} from './router-harness.js';

const T = { timeout: 60_000 };

describe('gossip Router over the mesh', () => {
  let chain: FundingChain;
  let tb: GossipBackend;
  let fe: TestFrontend;
  let client: GossipClient;
  let chans: TestChannel[];

  before(async () => {
    chain = new FundingChain();
    await chain.start(4);
    chans = await chain.fund(
      [
        [priv(1), priv(2)],
        [priv(2), priv(3)],
        [priv(3), priv(4)],
      ],
      100,
    );
    tb = await startGossipBackend(chain.chain, { gossip: { snapshotBatch: 2 } });
    fe = new TestFrontend(tb.backend.member.address);
    await fe.start();
    client = new GossipClient(fe);
    client.subscribeDeltas();
  });

  after(async () => {
    await fe?.stop();
    await tb?.stop();
    await chain?.stop();
  });

  test('the router is registered at /backend/router', T, () => {
    assert.ok((fe.member.mediator.registeredPaths().get(PATHS.router)?.length ?? 0) > 0);
  });

  test(
    'valid gossip is accepted: announcement (funding output on chain), updates, node announcement',
    T,
    async () => {
      const [a] = chans;
      assert.deepEqual(await client.submit(a!.ann.raw), { id: 1n, accepted: true, reason: '', detail: '' });
      assert.equal((await client.submit(update(a!, 0).raw)).accepted, true);
      // The frontend pre-checked the signature: accepted without checking it again.
      assert.equal((await client.submit(update(a!, 1).raw, true)).accepted, true);
      assert.equal((await client.submit(nodeAnn(priv(1), 'alice').raw)).accepted, true);
      const c = tb.backend.router.processor.graph.channel(a!.scid);
      assert.equal(c?.capacitySat, 500_000n);
      assert.ok(c?.updates[0] && c.updates[1]);
    },
  );

  test('invalid gossip of each kind is rejected with its reason', T, async () => {
    const [a, b] = chans;
    const badSig = Uint8Array.from(b!.ann.raw);
    badSig[10]! ^= 1;
    const cases: [string, Uint8Array, string][] = [
      ['bad signature', badSig, 'bad_signature'],
      ['duplicate announcement', a!.ann.raw, 'duplicate'],
      ['update of an unknown channel', update(b!, 0).raw, 'unknown_channel'],
      ['stale update', update(a!, 0, { timestamp: 1000 }).raw, 'stale'],
      ['node without channel', nodeAnn(priv(9), 'nobody').raw, 'unknown_node'],
      ['not gossip (a ping)', Uint8Array.of(0, 18, 0, 4, 0, 0), 'not_gossip'],
      ['truncated', a!.ann.raw.subarray(0, 100), 'malformed'],
    ];
    for (const [what, raw, reason] of cases) {
      const v = await client.submit(raw);
      assert.equal(v.accepted, false, what);
      assert.equal(v.reason, reason, `${what}: ${v.detail}`);
    }
    // BOLT 7: the output at short_channel_id must exist and be the 2-of-2 of the bitcoin keys.
    const [e] = await chain.fund([[priv(5), priv(6)]], 200);
    const change = reannounce(e!, e!.scid + 1n); // output 1 of the funding tx is its change
    assert.equal((await client.submit(change.ann.raw)).reason, 'funding_script_mismatch');
    const nowhere = reannounce(e!, (1_000_000n << 40n) | 1n); // no such block
    assert.equal((await client.submit(nowhere.ann.raw)).reason, 'funding_missing');
    const metrics = await tb.registry.metrics();
    assert.match(
      metrics,
      /shoal_gossip_decisions_total\{[^}]*type="channel_announcement",decision="rejected",reason="bad_signature"[^}]*\} 1/,
    );
    assert.match(metrics, /shoal_gossip_decisions_total\{[^}]*decision="accepted",reason="none"/);
    assert.match(metrics, /shoal_gossip_validation_seconds_count\{[^}]*type="channel_update"/);
  });

  test('deltas are published in sequence, with this run as generation', T, async () => {
    const [, b] = chans;
    assert.equal((await client.submit(b!.ann.raw)).accepted, true);
    await client.waitDelta((d) => d.kind === 'channel_added' && d.scid === b!.scid);
    const seqs = client.deltas.map((d) => Number(d.seq));
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => seqs[0]! + i),
    );
    assert.equal(seqs[0], 1);
    for (const d of client.deltas) assert.equal(d.generation, tb.backend.router.generation);
    const metrics = await tb.registry.metrics();
    assert.match(metrics, /shoal_gossip_graph_channels\{[^}]*\} 2/);
  });

  test('a snapshot streamed to a subscriber equals the graph, then deltas keep it equal', T, async () => {
    const { replica, batches } = await client.snapshot();
    assert.ok(batches > 2, `several batches (${batches})`);
    assert.equal(replica.ready, true);
    assert.deepEqual(dump(replica.graph), dump(tb.backend.router.processor.graph));
    // Deltas after the snapshot apply in sequence onto it.
    const before = client.deltas.length;
    const [, b, c] = chans;
    assert.equal((await client.submit(c!.ann.raw)).accepted, true);
    assert.equal((await client.submit(update(b!, 1).raw)).accepted, true);
    await client.waitDelta((d) => d.kind === 'channel_updated' && d.scid === b!.scid);
    for (const d of client.deltas.slice(before)) {
      assert.equal(replica.applyDeltas(d.deltas, Number(d.seq)), 'applied');
    }
    assert.deepEqual(dump(replica.graph), dump(tb.backend.router.processor.graph));
    assert.equal(replica.graph.channelCount, 3);
  });

  test('a spent funding output marks the channel spent, and 72 blocks later removes it', T, async () => {
    const [, , c] = chans;
    await tb.backend.router.spendWatchIdle();
    const height = await chain.spend(c!);
    await client.waitDelta((d) => d.kind === 'channel_spent' && d.scid === c!.scid);
    assert.equal(tb.backend.router.processor.graph.channel(c!.scid)?.spentAtHeight, height);
    // BOLT 7: only a `disable` update is accepted for a spent channel.
    assert.equal((await client.submit(update(c!, 0).raw)).reason, 'channel_spent');
    await chain.chain.generate(72);
    await client.waitDelta((d) => d.kind === 'channel_removed' && d.scid === c!.scid);
    assert.equal(tb.backend.router.processor.graph.channel(c!.scid), undefined);
    // Node 4 had no other channel: forgotten with it.
    assert.equal(tb.backend.router.processor.graph.node(pub(priv(4))), undefined);
  });

  test('doSync for the first peers with gossip_queries; progress and completion in getinfo', T, async () => {
    const gossipQueries = encodeMessage({
      type: 'init',
      globalFeatures: new Uint8Array(0),
      features: Uint8Array.of(0x80),
      tlvs: { unknown: [] },
    });
    const connect = async (node: Uint8Array, remoteInit: Uint8Array): Promise<boolean> => {
      const c = fe.connection();
      fe.member.mediator.send(
        PATHS.switchboard,
        fe.proto.peerAuthenticated.of({
          connection: c.ref,
          nodeId: node,
          remoteAddress: '127.0.0.1:40001',
          outgoing: false,
          requestId: 0n,
        }),
        { sender: c.ref },
      );
      const init = await c.inbox.take(fe.proto.initializeConnection);
      fe.member.tell(
        init.peer,
        fe.proto.connectionReady.of({ connection: c.ref, nodeId: node, remoteInit }),
        c.ref,
      );
      return init.doSync;
    };
    const sync = tb.backend.router.sync;
    const ids = [41, 42, 43, 44, 45, 46].map((i) => pub(priv(i)));
    // Without gossip_queries the frontend runs no sync: the slot is given back once init is known.
    assert.equal(await connect(ids[0]!, REMOTE_INIT), true);
    await waitUntil(() => sync.view().peers.length === 0, 5000, 'slot released');
    assert.deepEqual(await Promise.all(ids.slice(1, 5).map((id) => connect(id, gossipQueries))), [
      true,
      true,
      true,
      false,
    ]);
    const report = (phase: 'range' | 'ids' | 'done', n: number) =>
      fe.member.mediator.send(
        PATHS.router,
        fe.proto.gossipSyncReport.of({
          nodeId: ids[1]!,
          phase,
          listed: 10,
          wanted: n,
          queriesDone: n,
          queriesTotal: 4,
          incomplete: false,
        }),
      );
    report('ids', 2);
    await waitUntil(() => sync.view().running, 5000, 'sync running');
    const info = (await api(tb.url, 'getinfo')).body as { gossipSync: GossipSyncResult };
    assert.equal(info.gossipSync.running, true);
    assert.deepEqual(
      info.gossipSync.peers.find((p) => p.nodeId === hex(ids[1]!)),
      {
        nodeId: hex(ids[1]!),
        phase: 'ids',
        listed: 10,
        wanted: 2,
        queriesDone: 2,
        queriesTotal: 4,
        incomplete: false,
      },
    );
    report('done', 4);
    await waitUntil(() => sync.view().completed === 1, 5000, 'sync done');
    // One sync completed in this run: no more are asked for.
    assert.equal(await connect(ids[5]!, gossipQueries), false);
    const done = (await api(tb.url, 'getinfo')).body as { gossipSync: GossipSyncResult };
    assert.equal(done.gossipSync.completed, 1);
  });

  test('a batch is decided item by item; a checked update is trusted only for its signer', T, async () => {
    const [f] = await chain.fund([[priv(10), priv(11)]], 400);
    const flipped = (raw: Uint8Array): Uint8Array => {
      const out = Uint8Array.from(raw);
      out[20]! ^= 1;
      return out;
    };
    const [n1, n2] = [f!.ann.message.nodeId1, f!.ann.message.nodeId2];
    const verdicts = await client.submitBatch([
      { message: f!.ann.raw, signaturesChecked: true },
      // Checked against node_id_1 for direction 0: trusted (the corrupted signature is not re-checked).
      { message: flipped(update(f!, 0).raw), signaturesChecked: true, signer: n1 },
      // Checked against the wrong node (e.g. a conflicting announcement in flight): verified here.
      { message: flipped(update(f!, 1).raw), signaturesChecked: true, signer: n1 },
      { message: update(f!, 1, { timestamp: update(f!, 1).message.timestamp + 1 }).raw, signer: n2 },
      { message: nodeAnn(priv(9), 'nobody').raw },
    ]);
    assert.deepEqual(
      verdicts.map((v) => (v.accepted ? 'accepted' : v.reason)),
      ['accepted', 'accepted', 'bad_signature', 'accepted', 'unknown_node'],
    );
  });

  test('an announcement of an already spent output is rejected', T, async () => {
    const [d] = await chain.fund([[priv(7), priv(8)]], 300);
    await chain.spend(d!);
    const v = await client.submit(d!.ann.raw);
    assert.equal(v.reason, 'funding_spent');
  });
});

describe('gossip Router: persistence and our own node_announcement', () => {
  let chain: FundingChain;

  before(async () => {
    chain = new FundingChain();
    await chain.start();
  });
  after(async () => {
    await chain?.stop();
  });

  test('the graph survives a restart (stored, loaded, spends found again on chain)', T, async () => {
    const chans = await chain.fund(
      [
        [priv(11), priv(12)],
        [priv(12), priv(13)],
      ],
      400,
    );
    const tb = await startGossipBackend(chain.chain);
    const fe = new TestFrontend(tb.backend.member.address);
    try {
      await fe.start();
      const client = new GossipClient(fe);
      for (const ch of chans) {
        assert.equal((await client.submit(ch.ann.raw)).accepted, true);
        assert.equal((await client.submit(update(ch, 0).raw)).accepted, true);
      }
      assert.equal((await client.submit(nodeAnn(priv(12), 'bob').raw)).accepted, true);
      await tb.backend.router.spendWatchIdle();
    } finally {
      await fe.stop();
      await tb.stop(true);
    }
    const before = dump(tb.backend.router.processor.graph);
    // Spent while the backend was down: found from the chain when the graph is loaded.
    const spentAt = await chain.spend(chans[1]!);
    const again = await startGossipBackend(chain.chain, { dir: tb.dir });
    try {
      const g = again.backend.router.processor.graph;
      assert.equal(g.channelCount, 2);
      await again.backend.router.spendWatchIdle();
      await chain.chain.sync();
      await waitUntil(() => g.channel(chans[1]!.scid)?.spentAtHeight !== undefined, 5000, 'spent mark');
      assert.equal(g.channel(chans[1]!.scid)?.spentAtHeight, spentAt);
      g.channel(chans[1]!.scid)!.spentAtHeight = undefined; // compare the rest with what was stored
      assert.deepEqual(dump(g), before);
    } finally {
      await again.stop();
    }
  });

  test('our node_announcement is signed and published once the graph has a channel of ours', T, async () => {
    const tb = await startGossipBackend(chain.chain);
    const fe = new TestFrontend(tb.backend.member.address);
    try {
      await fe.start();
      const client = new GossipClient(fe);
      client.subscribeDeltas();
      const ours = tb.backend.nodeId;
      assert.equal(tb.backend.router.processor.graph.node(ours), undefined);
      const [ch] = await chain.fund([[Buffer.alloc(32, 200), priv(21)]], 500);
      assert.equal((await client.submit(ch!.ann.raw)).accepted, true);
      await client.waitDelta((d) => d.kind === 'node_updated' && Buffer.from(d.nodeId).equals(ours));
      const a = tb.backend.router.processor.graph.node(ours)?.announcement;
      assert.ok(a !== undefined);
      assert.equal(Buffer.from(a.alias).toString('utf8').replace(/\0+$/, ''), 'shoal-router-test');
      assert.equal(Buffer.from(a.rgbColor).toString('hex'), '49daaa');
      assert.deepEqual(a.addresses, [{ type: 'ipv4', addr: Uint8Array.of(10, 0, 0, 1), port: 9735 }]);
      // It went through the same validation as received gossip (signature by our node key).
      assert.match(
        await tb.registry.metrics(),
        /shoal_gossip_decisions_total\{[^}]*type="node_announcement",decision="accepted"[^}]*\} 1/,
      );
    } finally {
      await fe.stop();
      await tb.stop();
    }
  });
});
