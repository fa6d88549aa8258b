import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage } from '@shoal/wire';
import { type GossipDecision, GossipProcessor, type GraphDelta } from '../src/index.js';
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
  pub,
  scid,
  type TestChannel,
} from './helpers.js';

const T = { timeout: 10_000 };

async function setup(opts: { spentForgetBlocks?: number } = {}) {
  const clock = new FakeClock();
  const funding = new FakeFunding();
  const p = new GossipProcessor({ funding, clock }, { chainHash: CHAIN, ...opts });
  await p.start();
  const published: GraphDelta[] = [];
  p.subscribe((d) => published.push(...d));
  return { p, clock, funding, published };
}

function fund(funding: FakeFunding, ch: TestChannel): void {
  funding.outputs.set(ch.scid, ch.funding);
}

function rejected(d: GossipDecision, reason: string): void {
  assert.equal(d.accepted, false, `expected rejection ${reason}`);
  if (!d.accepted) assert.equal(d.reason, reason);
}

describe('channel_announcement validation (BOLT 7)', () => {
  it('accepts a valid announcement; capacity comes from the funding output', T, async () => {
    const { p, funding, published } = await setup();
    const ch = makeChannel(priv(1), priv(2), scid(100), { capacitySat: 123_456n });
    fund(funding, ch);
    const d = await p.submit(ch.ann.raw);
    assert.equal(d.accepted, true);
    assert.equal(p.graph.channel(ch.scid)?.capacitySat, 123_456n);
    assert.equal(p.graph.nodeCount, 2);
    assert.deepEqual(
      published.map((x) => x.kind),
      ['channel_added'],
    );
    rejected(await p.submit(ch.ann.raw), 'duplicate');
  });
  it('rejects each of the four bad signatures', T, async () => {
    const { p, funding } = await setup();
    const ch = makeChannel(priv(1), priv(2), scid(100));
    fund(funding, ch);
    for (const offset of [2 + 10, 2 + 64 + 10, 2 + 128 + 10, 2 + 192 + 10]) {
      rejected(await p.submit(flip(ch.ann.raw, offset)), 'bad_signature');
    }
    // A change to the signed portion breaks all of them.
    rejected(await p.submit(flip(ch.ann.raw, ch.ann.raw.length - 1)), 'bad_signature');
    assert.equal(p.graph.channelCount, 0);
  });
  it('rejects an unknown chain, wrong node order, malformed bytes and non-gossip', T, async () => {
    const { p, funding } = await setup();
    const other = makeChannel(priv(1), priv(2), scid(101), { chainHash: OTHER_CHAIN });
    fund(funding, other);
    rejected(await p.submit(other.ann.raw), 'unknown_chain');
    const swapped = makeChannel(priv(1), priv(2), scid(102), { swapOrder: true });
    fund(funding, swapped);
    rejected(await p.submit(swapped.ann.raw), 'bad_node_order');
    rejected(await p.submit(other.ann.raw.subarray(0, 300)), 'malformed');
    const ping = encodeMessage({
      type: 'ping',
      numPongBytes: 1,
      ignored: new Uint8Array(0),
      tlvs: { unknown: [] },
    });
    rejected(await p.submit(ping), 'not_gossip');
  });
  it('rejects a bad node key', T, async () => {
    const { p } = await setup();
    const ch = makeChannel(priv(1), priv(2), scid(100));
    const raw = Uint8Array.from(ch.ann.raw);
    // node_id_1 = 02 || 00..00: x = 0 is not on secp256k1 (7 is not a square mod p), order kept.
    const at = 2 + 256 + 2 + ch.ann.message.features.length + 32 + 8 + 1;
    raw[at - 1] = 0x02;
    raw.fill(0x00, at, at + 32);
    rejected(await p.submit(raw), 'bad_key');
  });
  it('requires the funding output: present, the right P2WSH, unspent', T, async () => {
    const { p, funding } = await setup();
    const ch = makeChannel(priv(1), priv(2), scid(100));
    rejected(await p.submit(ch.ann.raw), 'funding_missing');
    funding.outputs.set(ch.scid, {
      ...ch.funding,
      script: makeChannel(priv(3), priv(4), scid(9)).funding.script,
    });
    rejected(await p.submit(ch.ann.raw), 'funding_script_mismatch');
    funding.outputs.set(ch.scid, { ...ch.funding, spent: true });
    rejected(await p.submit(ch.ann.raw), 'funding_spent');
    funding.outputs.set(ch.scid, ch.funding);
    assert.equal((await p.submit(ch.ann.raw)).accepted, true);
  });
  it('keeps a channel with unknown even feature bits but marks it unroutable', T, async () => {
    const { p, funding } = await setup();
    const ch = makeChannel(priv(1), priv(2), scid(100), {
      features: new Uint8Array([0x40, 0x00, 0x00, 0x00]),
    });
    fund(funding, ch);
    assert.equal((await p.submit(ch.ann.raw)).accepted, true);
    assert.equal(p.graph.channel(ch.scid)?.routable, false);
  });
  it('skips signature checks when a frontend pre-checked them', T, async () => {
    const { p, funding } = await setup();
    const ch = makeChannel(priv(1), priv(2), scid(100));
    fund(funding, ch);
    assert.equal((await p.submit(flip(ch.ann.raw, 12), { signaturesChecked: true })).accepted, true);
  });
  it('blacklists nodes of a conflicting announcement of the same output', T, async () => {
    const { p, funding } = await setup();
    const a = makeChannel(priv(1), priv(2), scid(100));
    const other = makeChannel(priv(5), priv(6), scid(200));
    fund(funding, a);
    fund(funding, other);
    await p.submit(a.ann.raw);
    await p.submit(other.ann.raw);
    // Same output and bitcoin keys, different nodes: only possible with leaked keys.
    const b = makeChannel(priv(3), priv(4), scid(100));
    funding.outputs.set(b.scid, b.funding);
    rejected(await p.submit(b.ann.raw), 'blacklisted');
    assert.equal(p.graph.channel(a.scid), undefined);
    assert.ok(p.graph.channel(other.scid), 'unrelated channel kept');
    assert.equal(p.isBlacklisted(pub(priv(3))), true);
    const c = makeChannel(priv(1), priv(9), scid(300));
    fund(funding, c);
    rejected(await p.submit(c.ann.raw), 'blacklisted');
  });
});

describe('channel_update validation (BOLT 7)', () => {
  async function withChannel() {
    const s = await setup();
    const ch = makeChannel(priv(1), priv(2), scid(100), { capacitySat: 1_000_000n });
    fund(s.funding, ch);
    await s.p.submit(ch.ann.raw);
    return { ...s, ch };
  }
  it('accepts updates signed by the node of each direction', T, async () => {
    const { p, ch } = await withChannel();
    assert.equal((await p.submit(makeUpdate(ch, 0).raw)).accepted, true);
    assert.equal((await p.submit(makeUpdate(ch, 1).raw)).accepted, true);
    assert.equal(p.graph.channel(ch.scid)?.updates[1]?.feeBaseMsat, 1000);
  });
  it('rejects the wrong signer for the direction and a corrupted signature', T, async () => {
    const { p, ch } = await withChannel();
    rejected(await p.submit(makeUpdate(ch, 0, {}, ch.nodePrivs[1]).raw), 'bad_signature');
    rejected(await p.submit(flip(makeUpdate(ch, 1).raw, 20)), 'bad_signature');
  });
  it('trusts a frontend check of an update only for the signer of its direction', T, async () => {
    const { p, ch } = await withChannel();
    // Checked against the right node: trusted (a corrupted signature shows it was not re-checked).
    const right = flip(makeUpdate(ch, 0).raw, 20);
    const opts = { signaturesChecked: true, checkedSigner: pub(ch.nodePrivs[0]) };
    assert.equal((await p.submit(right, opts)).accepted, true);
    // A frontend checked against a conflicting announcement still in flight (other nodes, same
    // scid): the signer is not ours for this direction, so the backend verifies it itself.
    const forged = makeUpdate(ch, 1, {}, priv(7));
    const conflicting = { signaturesChecked: true, checkedSigner: pub(priv(7)) };
    rejected(await p.submit(forged.raw, conflicting), 'bad_signature');
    // Named the other endpoint: not trusted either.
    const swapped = { signaturesChecked: true, checkedSigner: pub(ch.nodePrivs[0]) };
    rejected(await p.submit(flip(makeUpdate(ch, 1).raw, 20), swapped), 'bad_signature');
    assert.equal((await p.submit(makeUpdate(ch, 1).raw, swapped)).accepted, true);
  });
  it('requires a strictly newer timestamp; same timestamp: duplicate or conflict', T, async () => {
    const { p, ch } = await withChannel();
    await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 100 }).raw);
    rejected(await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 200 }).raw), 'stale');
    rejected(await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 100 }).raw), 'duplicate');
    rejected(
      await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 100, feeBaseMsat: 5 }).raw),
      'same_timestamp_conflict',
    );
    assert.equal((await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 99 }).raw)).accepted, true);
    rejected(await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S + 86_400 }).raw), 'future_timestamp');
  });
  it('checks htlc limits against each other and the capacity', T, async () => {
    const { p, ch } = await withChannel();
    rejected(
      await p.submit(makeUpdate(ch, 0, { htlcMinimumMsat: 10n, htlcMaximumMsat: 9n }).raw),
      'bad_htlc_limits',
    );
    rejected(await p.submit(makeUpdate(ch, 0, { htlcMaximumMsat: 1_000_000_001n }).raw), 'bad_htlc_limits');
    assert.equal((await p.submit(makeUpdate(ch, 0, { htlcMaximumMsat: 1_000_000_000n }).raw)).accepted, true);
  });
  it('rejects dont_forward, unknown channels and other chains', T, async () => {
    const { p, ch } = await withChannel();
    rejected(await p.submit(makeUpdate(ch, 0, { messageFlags: 3 }).raw), 'dont_forward');
    rejected(await p.submit(makeUpdate(ch, 0, { shortChannelId: scid(999) }).raw), 'unknown_channel');
    rejected(await p.submit(makeUpdate(ch, 0, { chainHash: OTHER_CHAIN }).raw), 'unknown_chain');
  });
  it(
    'after the funding output is spent only disabling updates pass; forgotten 72 blocks later',
    T,
    async () => {
      const { p, ch, published } = await withChannel();
      await p.submit(makeNodeAnn(priv(1)).raw);
      assert.equal((await p.markSpent(ch.scid, 500)).length, 1);
      rejected(await p.submit(makeUpdate(ch, 0).raw), 'channel_spent');
      assert.equal((await p.submit(makeUpdate(ch, 0, { channelFlags: 2 }).raw)).accepted, true);
      assert.deepEqual(await p.onBlock(571), []);
      const removed = await p.onBlock(572);
      assert.deepEqual(
        removed.map((d) => d.kind),
        ['channel_removed', 'node_removed', 'node_removed'],
      );
      assert.equal(p.graph.channelCount, 0);
      assert.equal(p.graph.nodeCount, 0);
      assert.ok(published.some((d) => d.kind === 'channel_spent'));
    },
  );
  it('rate-limits updates per channel direction', T, async () => {
    const clock = new FakeClock();
    const funding = new FakeFunding();
    const p = new GossipProcessor(
      { funding, clock },
      { chainHash: CHAIN, updateRateLimit: { burst: 2, perHour: 1 } },
    );
    await p.start();
    const ch = makeChannel(priv(1), priv(2), scid(100));
    fund(funding, ch);
    await p.submit(ch.ann.raw);
    assert.equal((await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 10 }).raw)).accepted, true);
    assert.equal((await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 9 }).raw)).accepted, true);
    rejected(await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 8 }).raw), 'rate_limited');
    assert.equal((await p.submit(makeUpdate(ch, 1, { timestamp: NOW_S - 8 }).raw)).accepted, true);
    clock.advanceSeconds(3600);
    assert.equal((await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 7 }).raw)).accepted, true);
  });
});

describe('ordering of concurrent submissions', () => {
  it(
    'an update and a node announcement wait for their channel announcement still on chain lookup',
    T,
    async () => {
      const { p, funding } = await setup();
      const ch = makeChannel(priv(1), priv(2), scid(100));
      let release = (): void => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const lookup = funding.lookup.bind(funding);
      funding.lookup = async (id) => {
        await gate;
        return lookup(id);
      };
      fund(funding, ch);
      const results = Promise.all([
        p.submit(ch.ann.raw),
        p.submit(makeUpdate(ch, 0).raw),
        p.submit(makeNodeAnn(priv(2)).raw),
        p.submit(makeUpdate(makeChannel(priv(1), priv(3), scid(7)), 0).raw),
      ]);
      const unrelated = await Promise.race([
        results.then(() => 'all'),
        p.submit(makeUpdate(makeChannel(priv(1), priv(3), scid(8)), 0).raw),
      ]);
      assert.notEqual(unrelated, 'all', 'an update of another channel does not wait');
      release();
      const [a, u, n, other] = await results;
      assert.deepEqual([a.accepted, u.accepted, n.accepted, other.accepted], [true, true, true, false]);
    },
  );
});

describe('node_announcement validation (BOLT 7)', () => {
  it('needs a known channel, a newer timestamp, a good signature, at most one DNS name', T, async () => {
    const { p, funding } = await setup();
    rejected(await p.submit(makeNodeAnn(priv(1)).raw), 'unknown_node');
    const ch = makeChannel(priv(1), priv(2), scid(100));
    fund(funding, ch);
    await p.submit(ch.ann.raw);
    const n = makeNodeAnn(priv(1), NOW_S - 50);
    assert.equal((await p.submit(n.raw)).accepted, true);
    rejected(await p.submit(n.raw), 'duplicate');
    rejected(await p.submit(makeNodeAnn(priv(1), NOW_S - 60).raw), 'stale');
    rejected(await p.submit(flip(makeNodeAnn(priv(1), NOW_S - 40).raw, 30)), 'bad_signature');
    rejected(await p.submit(makeNodeAnn(priv(1), NOW_S + 86_400).raw), 'future_timestamp');
    const dns = (h: string) => ({ type: 'dns' as const, hostname: h, port: 9735 });
    rejected(
      await p.submit(makeNodeAnn(priv(1), NOW_S - 40, [dns('a.example'), dns('b.example')]).raw),
      'bad_addresses',
    );
  });
  it('keeps unknown address types', T, async () => {
    const { p, funding } = await setup();
    const ch = makeChannel(priv(1), priv(2), scid(100));
    fund(funding, ch);
    await p.submit(ch.ann.raw);
    const addrs = [
      { type: 'ipv4' as const, addr: new Uint8Array([10, 0, 0, 1]), port: 9735 },
      { type: 'unknown' as const, descriptorType: 42, data: new Uint8Array([1, 2, 3]) },
    ];
    const n = makeNodeAnn(priv(2), NOW_S - 5, addrs);
    assert.equal((await p.submit(n.raw)).accepted, true);
    const held = p.graph.node(pub(priv(2)))?.announcement;
    assert.deepEqual(
      held?.addresses.map((a) => a.type),
      ['ipv4', 'unknown'],
    );
    assert.deepEqual(Buffer.from(held!.raw), Buffer.from(n.raw));
  });
});

describe('pruning (BOLT 7 "Pruning the Network View")', () => {
  it(
    'prunes channels whose oldest update is two weeks old, as zombies; a fresh update revives',
    T,
    async () => {
      const { p, funding, clock } = await setup();
      const ch = makeChannel(priv(1), priv(2), scid(100));
      const fresh = makeChannel(priv(1), priv(3), scid(101));
      fund(funding, ch);
      fund(funding, fresh);
      await p.submit(ch.ann.raw);
      await p.submit(fresh.ann.raw);
      await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 60 }).raw);
      await p.submit(makeUpdate(ch, 1, { timestamp: NOW_S }).raw);
      clock.advanceSeconds(1_209_600 - 100);
      await p.submit(makeUpdate(fresh, 0, { timestamp: NOW_S + 1_209_000 }).raw);
      await p.submit(makeUpdate(fresh, 1, { timestamp: NOW_S + 1_209_000 }).raw);
      assert.deepEqual(await p.pruneStale(), []);
      clock.advanceSeconds(100);
      const d = await p.pruneStale();
      assert.deepEqual(
        d.map((x) => x.kind),
        ['channel_removed', 'node_removed'],
      );
      assert.equal(p.graph.node(pub(priv(2))), undefined, 'node without channels pruned');
      assert.ok(p.graph.node(pub(priv(1))), 'node with a channel kept');
      assert.equal(p.isZombie(ch.scid), true);
      rejected(await p.submit(ch.ann.raw), 'zombie');
      rejected(await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S - 30 }).raw), 'zombie');
      assert.equal(p.isZombie(ch.scid), true, 'an old update does not revive');
      rejected(await p.submit(makeUpdate(ch, 0, { timestamp: NOW_S + 1_209_600 }).raw), 'zombie');
      assert.equal(p.isZombie(ch.scid), false);
      assert.equal((await p.submit(ch.ann.raw)).accepted, true);
    },
  );
});
