import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GossipIn } from '@shoal/front-protocol';
import { decodeMessage, encodeMessage } from '@shoal/wire';
import {
  type FrontendHandle,
  freePort,
  pollUntil,
  REGTEST,
  startFrontend,
  type TestPeer,
  until,
  waitReady,
} from './harness.js';
import {
  corrupt,
  GossipBackend,
  gossipPeer,
  makeChannel,
  makeNodeAnn,
  makeUpdate,
  NOW_S,
  PLAIN_FEATURES,
  priv,
  roundTrip,
  scid,
  typesOf,
} from './router-harness.js';

const GOSSIP_TYPES = new Set([256, 257, 258]);
const gossipTypes = (p: TestPeer): number[] => typesOf(p).filter((t) => GOSSIP_TYPES.has(t));

function filterMessage(first: number, range = 0xffff_ffff): Uint8Array {
  return encodeMessage({
    type: 'gossip_timestamp_filter',
    chainHash: REGTEST,
    firstTimestamp: first,
    timestampRange: range,
    tlvs: { unknown: [] },
  });
}

describe('frontend router: gossip in, penalties and rebroadcast', { timeout: 90_000 }, () => {
  let backend: GossipBackend;
  let fe: FrontendHandle;
  const peers: TestPeer[] = [];
  const counts = new Map<string, number>();
  const decided: [string, boolean, string[]][] = [];
  const penalised: [string, string][] = [];
  const wakers = new Set<() => void>();
  const sub = (wake: () => void) => {
    wakers.add(wake);
    return () => wakers.delete(wake);
  };
  const waitFor = <T>(pred: () => T | undefined, what: string) => until(sub, pred, what, 8000);
  const count = (outcome: string): number => counts.get(outcome) ?? 0;

  async function connect(features?: Uint8Array): Promise<TestPeer> {
    const p = await gossipPeer(fe.frontend.port, fe.key.publicKey, backend, features);
    peers.push(p);
    return p;
  }
  const ins = (raw: Uint8Array): GossipIn[] =>
    backend.all(backend.proto.gossipIn, (v) => Buffer.from(v.message).equals(Buffer.from(raw)));

  before(async () => {
    backend = new GossipBackend(await freePort());
    backend.autoSnapshot = [];
    await backend.start();
    fe = await startFrontend(backend.port, {
      gossip: { broadcastIntervalMs: 300, checkIntervalMs: 50, forwardTimeoutMs: 2000 },
    });
    await waitReady(fe.frontend);
    const r = fe.frontend.router;
    const wake = (): void => {
      for (const w of [...wakers]) w();
    };
    r.on('received', (_kind, outcome) => {
      counts.set(outcome, count(outcome) + 1);
      wake();
    });
    r.on('decided', (key, accepted, origins) => {
      decided.push([key, accepted, origins]);
      wake();
    });
    r.on('penalised', (peer, action) => {
      penalised.push([peer, action]);
      wake();
    });
  });
  after(async () => {
    for (const p of peers) p.destroy();
    await fe?.stop();
    await backend?.stop();
  });

  it('forwards gossip sent by two peers once, acks both, rebroadcasts to others on the interval, never to an origin, per filter', {
    timeout: 30_000,
  }, async () => {
    const [a, b, d, e, f] = [
      await connect(),
      await connect(),
      await connect(),
      await connect(),
      await connect(),
    ];
    const c = await connect(PLAIN_FEATURES); // no gossip_queries: gets all gossip without a filter
    for (const p of [a, b, f]) p.write(filterMessage(0));
    e.write(filterMessage(NOW_S + 10_000)); // d sends none: it gets no relayed gossip
    for (const p of [a, b, d, e, f]) await roundTrip(p); // filters are in place

    const ch = makeChannel(priv(11), priv(12), scid(200));
    const u0 = makeUpdate(ch, 0, NOW_S - 10);
    a.write(ch.ann);
    a.write(u0);
    const forwarded = await backend.waitCount(backend.proto.gossipIn, 2);
    assert.deepEqual(
      forwarded.map((g) => g.signaturesChecked),
      [true, false],
      'update of an unknown channel: left to the backend while it keeps up with the verdicts',
    );
    b.write(ch.ann);
    b.write(u0);
    await waitFor(() => (count('duplicate') >= 2 ? true : undefined), 'two duplicates');
    assert.equal(backend.all(backend.proto.gossipIn).length, 2, 'forwarded once each');

    for (const g of forwarded) backend.verdict(g, true);
    await waitFor(() => (decided.length >= 2 ? true : undefined), 'two decisions');
    for (const [, accepted, origins] of decided)
      assert.deepEqual([accepted, origins.length], [true, 2], 'both origins acked');
    backend.publish([
      { kind: 'channel_added', scid: ch.scid, announcement: ch.ann, capacitySat: 1_000_000n },
      { kind: 'channel_updated', scid: ch.scid, direction: 0, update: u0 },
    ]);

    // c and f get the announcement and then its update on their own flush (interval timer).
    for (const p of [c, f]) {
      await p.take(258, 8000);
      assert.deepEqual(gossipTypes(p), [256]);
      assert.ok(Buffer.from(p.messages.find((m) => m.readUInt16BE(0) === 256)!).equals(Buffer.from(ch.ann)));
    }
    // Everyone else is flushed now: the origins, the peer without a filter, the filter that excludes it.
    fe.frontend.router.flushRebroadcast();
    for (const p of [a, b, d, e]) {
      await roundTrip(p);
      assert.deepEqual(gossipTypes(p), []);
    }
    const metrics = await (await fetch(`http://127.0.0.1:${fe.frontend.httpPort}/metrics`)).text();
    assert.match(
      metrics,
      /^shoal_front_gossip_received_total\{type="channel_announcement",outcome="new"\} 1$/m,
    );
    assert.match(
      metrics,
      /^shoal_front_gossip_received_total\{type="channel_update",outcome="duplicate"\} 1$/m,
    );
    assert.match(metrics, /^shoal_front_gossip_rebroadcast_total 4$/m, 'two messages to c and to f');
    assert.match(metrics, /^shoal_front_gossip_in_flight 0$/m);
  });

  it('warns the sender of a bad signature, then ignores its gossip; rejections for stale gossip are not penalised', {
    timeout: 30_000,
  }, async () => {
    const g = await connect();
    g.write(corrupt(makeNodeAnn(priv(20), NOW_S)));
    const warning = decodeMessage(await g.take(1));
    assert.ok(warning.type === 'warning');
    assert.match(Buffer.from(warning.data).toString(), /bad_signature/);
    assert.deepEqual(warning.channelId, new Uint8Array(32));

    g.write(corrupt(makeNodeAnn(priv(20), NOW_S + 1)));
    await waitFor(() => (penalised.some(([, a]) => a === 'ignore') ? true : undefined), 'the second offence');
    const valid = makeNodeAnn(priv(21), NOW_S);
    g.write(valid);
    await waitFor(() => (count('ignored') >= 1 ? true : undefined), 'the gossip to be ignored');
    assert.equal(ins(valid).length, 0);

    // The backend's rejection proves invalid gossip: the origin is warned.
    const h = await connect();
    const bad = makeNodeAnn(priv(22), NOW_S);
    h.write(bad);
    const [inH] = await backend.waitCount(backend.proto.gossipIn, 1, (v) =>
      Buffer.from(v.message).equals(Buffer.from(bad)),
    );
    backend.verdict(inH!, false, 'bad_addresses', 'two DNS names');
    const w = decodeMessage(await h.take(1));
    assert.ok(w.type === 'warning' && /bad_addresses/.test(Buffer.from(w.data).toString()));

    // Stale gossip is rejected without any penalty.
    const i = await connect();
    const old = makeNodeAnn(priv(23), NOW_S - 5000);
    i.write(old);
    const [inI] = await backend.waitCount(backend.proto.gossipIn, 1, (v) =>
      Buffer.from(v.message).equals(Buffer.from(old)),
    );
    const before = decided.length;
    backend.verdict(inI!, false, 'stale', 'older than ours');
    await waitFor(() => (decided.length > before ? true : undefined), 'the stale verdict');
    await roundTrip(i);
    assert.deepEqual(
      typesOf(i).filter((t) => t === 1),
      [],
    );
  });

  it('drops a forward the backend never answers, and forwards that gossip again later', {
    timeout: 30_000,
  }, async () => {
    const j = await connect();
    const lost = makeNodeAnn(priv(30), NOW_S);
    j.write(lost);
    await backend.waitCount(backend.proto.gossipIn, 1, (v) =>
      Buffer.from(v.message).equals(Buffer.from(lost)),
    );
    // No verdict: after forwardTimeoutMs the entry goes (no event: polled), and the message is new again.
    await pollUntil(() => fe.frontend.router.intake.inFlight === 0, 'the forward to time out', 8000);
    const k = await connect();
    k.write(lost);
    await backend.waitCount(backend.proto.gossipIn, 2, (v) =>
      Buffer.from(v.message).equals(Buffer.from(lost)),
    );
  });
});
