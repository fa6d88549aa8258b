import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, PASSWORD, TestFrontend } from './harness.js';
import {
  FundingChain,
  type GossipBackend,
  GossipClient,
  hex,
  nodeAnn,
  priv,
  pub,
  startGossipBackend,
  type TestChannel,
  update,
} from './router-harness.js';

const T = { timeout: 60_000 };
const scidText = (s: bigint): string => `${s >> 40n}x${(s >> 16n) & 0xffffffn}x${s & 0xffffn}`;

describe('gossip API calls (Eclair-compatible)', () => {
  let chain: FundingChain;
  let tb: GossipBackend;
  let fe: TestFrontend;
  let chans: TestChannel[];
  const alice = priv(31);
  const bob = priv(32);
  const carol = priv(33);

  before(async () => {
    chain = new FundingChain();
    await chain.start();
    chans = await chain.fund(
      [
        [alice, bob],
        [bob, carol],
      ],
      600,
      500_000n,
    );
    tb = await startGossipBackend(chain.chain, { nodeKey: false });
    fe = new TestFrontend(tb.backend.member.address);
    await fe.start();
    const client = new GossipClient(fe);
    const [ab, bc] = chans;
    for (const raw of [
      ab!.ann.raw,
      bc!.ann.raw,
      update(ab!, 0, { cltvExpiryDelta: 10, feeBaseMsat: 100 }).raw,
      update(ab!, 1, { cltvExpiryDelta: 20, feeBaseMsat: 200, channelFlags: 1 | 2 }).raw,
      update(bc!, 0, { cltvExpiryDelta: 30, feeBaseMsat: 300, messageFlags: 1 }).raw,
      nodeAnn(alice, 'alice').raw,
      nodeAnn(bob, 'bob\u0007').raw,
    ]) {
      const v = await client.submit(raw);
      assert.equal(v.accepted, true, v.detail);
    }
  });

  after(async () => {
    await fe?.stop();
    await tb?.stop();
    await chain?.stop();
  });

  test('allnodes: every node_announcement in Eclair form', T, async () => {
    const r = await api(tb.url, 'allnodes');
    assert.equal(r.status, 200);
    const nodes = r.body as Record<string, unknown>[];
    assert.equal(nodes.length, 2);
    const a = nodes.find((n) => n.nodeId === hex(pub(alice)));
    assert.deepEqual(Object.keys(a ?? {}), [
      'signature',
      'features',
      'timestamp',
      'nodeId',
      'rgbColor',
      'alias',
      'addresses',
      'tlvStream',
    ]);
    assert.equal(a?.alias, 'alice');
    assert.equal(a?.rgbColor, '#010203');
    assert.deepEqual(a?.addresses, ['127.0.0.1:9735']);
    assert.deepEqual(a?.features, { activated: { gossip_queries: 'optional' } });
    const ts = a?.timestamp as { iso: string; unix: number };
    assert.equal(new Date(ts.iso).getTime(), ts.unix * 1000);
    assert.equal(String(a?.signature).length, 128);
    // An alias is untrusted text: control characters are dropped.
    assert.equal(nodes.find((n) => n.nodeId === hex(pub(bob)))?.alias, 'bob');
    const some = await api(tb.url, 'nodes', { nodeIds: hex(pub(bob)) });
    assert.deepEqual(
      (some.body as { nodeId: string }[]).map((n) => n.nodeId),
      [hex(pub(bob))],
    );
  });

  test('allchannels: shortChannelId and its two nodes', T, async () => {
    const r = await api(tb.url, 'allchannels');
    assert.equal(r.status, 200);
    const got = (r.body as { shortChannelId: string; a: string; b: string }[]).sort((x, y) =>
      x.shortChannelId.localeCompare(y.shortChannelId),
    );
    const want = chans
      .map((c) => ({
        shortChannelId: scidText(c.scid),
        a: hex(c.ann.message.nodeId1),
        b: hex(c.ann.message.nodeId2),
      }))
      .sort((x, y) => x.shortChannelId.localeCompare(y.shortChannelId));
    assert.deepEqual(got, want);
  });

  test('allupdates: latest update per direction, optionally of one node', T, async () => {
    const all = (await api(tb.url, 'allupdates')).body as Record<string, unknown>[];
    assert.equal(all.length, 3);
    const [ab] = chans;
    const u = all.find((x) => x.shortChannelId === scidText(ab!.scid) && x.cltvExpiryDelta === 20);
    assert.deepEqual(u?.channelFlags, { isEnabled: false, isNode1: false });
    assert.deepEqual(u?.messageFlags, { dontForward: false });
    assert.equal(u?.feeBaseMsat, 200);
    assert.equal(u?.htlcMaximumMsat, 400_000_000);
    assert.equal(u?.chainHash, '06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f');
    const ofAlice = (await api(tb.url, 'allupdates', { nodeId: hex(pub(alice)) })).body as unknown[];
    assert.equal(ofAlice.length, 2);
    const ofCarol = (await api(tb.url, 'allupdates', { nodeId: hex(pub(carol)) })).body as unknown[];
    assert.equal(ofCarol.length, 1);
    const bad = await api(tb.url, 'allupdates', { nodeId: 'zz' });
    assert.equal(bad.status, 400);
  });

  test(
    'node: announcement, active channels and capacity; 404 unknown, 400 malformed or missing',
    T,
    async () => {
      const r = await api(tb.url, 'node', { nodeId: hex(pub(bob)) });
      assert.equal(r.status, 200);
      const body = r.body as {
        announcement: { alias: string };
        activeChannels: number;
        totalCapacity: number;
      };
      assert.equal(body.announcement.alias, 'bob');
      assert.equal(body.activeChannels, 2);
      assert.equal(body.totalCapacity, 1_000_000);
      // Carol has a channel but no announcement: counts only.
      assert.deepEqual((await api(tb.url, 'node', { nodeId: hex(pub(carol)) })).body, {
        activeChannels: 1,
        totalCapacity: 500_000,
      });
      const unknown = await api(tb.url, 'node', { nodeId: hex(pub(priv(99))) });
      assert.equal(unknown.status, 404);
      assert.match(JSON.stringify(unknown.body), /not found/);
      const malformed = await api(tb.url, 'node', { nodeId: '02abcd' });
      assert.equal(malformed.status, 400);
      assert.match(JSON.stringify(malformed.body), /nodeId/);
      const missing = await api(tb.url, 'node');
      assert.equal(missing.status, 400);
      assert.match(JSON.stringify(missing.body), /missing required form field 'nodeId'/);
    },
  );

  test('networkstats: counts and percentiles', T, async () => {
    const r = await api(tb.url, 'networkstats');
    assert.equal(r.status, 200);
    const s = r.body as Record<string, unknown>;
    assert.equal(s.channels, 2);
    assert.equal(s.nodes, 3);
    assert.equal(s.announcedNodes, 2);
    assert.equal(s.updates, 3);
    assert.equal(s.totalCapacity, 1_000_000);
    assert.deepEqual(s.capacity, {
      median: 500_000,
      percentile5: 500_000,
      percentile10: 500_000,
      percentile25: 500_000,
      percentile75: 500_000,
      percentile90: 500_000,
      percentile95: 500_000,
    });
    const cltv = s.cltvExpiryDelta as Record<string, number>;
    assert.equal(cltv.median, 20);
    assert.equal(cltv.percentile5, 10);
    assert.equal(cltv.percentile95, 30);
  });

  test('the status page shows the graph size and sync progress', T, () => {
    assert.deepEqual(tb.backend.gossipStatus(), { nodes: 3, channels: 2, syncProgress: 1 });
  });

  test('the calls need the API password', T, async () => {
    const res = await fetch(`${tb.url}/allnodes`, { method: 'POST' });
    assert.equal(res.status, 401);
    assert.ok(PASSWORD.length > 0);
  });
});
