import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GossipInItem } from '@shoal/front-protocol';
import { GraphReplica, RebroadcastQueue } from '@shoal/gossip';
import { silentLogger } from '@shoal/log';
import { Features } from '@shoal/wire';
import { GossipIntake } from '../src/router/gossip-in.js';
import { PeerWriter } from '../src/router/peer-writer.js';
import type { RouterPeer } from '../src/router/types.js';
import { REGTEST } from './harness.js';
import { corrupt, makeChannel, makeNodeAnn, makeUpdate, NOW_S, priv, scid } from './router-harness.js';

/** A peer whose socket accepts `room` messages before asking for a drain. */
class FakePeer implements RouterPeer {
  readonly id: string;
  readonly nodeId = new Uint8Array(33);
  readonly chainHash = REGTEST;
  readonly remoteFeatures = Features.of({});
  readonly doSync = false;
  readonly written: Uint8Array[] = [];
  isOpen = true;
  paused = 0;
  resumed = 0;
  #drain: (() => void) | undefined;

  constructor(
    id: string,
    public room = Number.POSITIVE_INFINITY,
  ) {
    this.id = id;
  }
  send(m: Uint8Array): boolean {
    this.written.push(m);
    return this.written.length < this.room;
  }
  onDrain(resume: () => void): void {
    this.#drain = resume;
  }
  drain(more: number): void {
    this.room += more;
    const d = this.#drain;
    this.#drain = undefined;
    d?.();
  }
  pauseReading(): void {
    this.paused++;
  }
  resumeReading(): void {
    this.resumed++;
  }
}

const msg = (i: number): Uint8Array => new Uint8Array([0, 1, i]);

describe('PeerWriter', { timeout: 10_000 }, () => {
  it('stops at the first refused write, resumes on drain, in order, and calls done after the last write', () => {
    const p = new FakePeer('p', 3);
    const w = new PeerWriter(p, 100);
    let done = 0;
    w.push([1, 2, 3, 4, 5], msg, { done: () => done++ });
    w.push([6, 7], msg);
    assert.equal(p.written.length, 3, 'stopped when the socket said no');
    assert.equal(w.queued, 4);
    assert.equal(done, 0);
    p.drain(2);
    assert.equal(p.written.length, 5);
    assert.equal(done, 1, 'the last message of the first job was written');
    p.drain(100);
    assert.deepEqual(
      p.written.map((m) => m[2]),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.equal(w.queued, 0);
  });

  it('drops droppable work beyond its cap, and everything once closed', () => {
    const p = new FakePeer('p', 1);
    const w = new PeerWriter(p, 5);
    assert.ok(w.push([1, 2, 3], msg, { droppable: true }));
    assert.equal(w.push([4, 5, 6, 7], msg, { droppable: true }), false);
    assert.ok(w.push([4, 5, 6, 7], msg), 'answers are not droppable');
    w.close();
    assert.equal(w.queued, 0);
    p.drain(100);
    assert.equal(p.written.length, 1);
    assert.equal(w.push([8], msg), false);
  });
});

describe('GossipIntake back-pressure', { timeout: 10_000 }, () => {
  function intake(
    forward: () => boolean,
    maxInFlight: number,
    extra: { maxBatch?: number; checkAnnouncingFrom?: number; turnBudget?: number } = {},
  ) {
    const sent: GossipInItem[] = [];
    const batches: number[] = [];
    const penalised: string[] = [];
    const i = new GossipIntake(
      {
        replica: new GraphReplica(),
        queue: new RebroadcastQueue(),
        logger: silentLogger,
        now: () => Date.now(),
        forward: (items) => {
          sent.push(...items);
          batches.push(items.length);
          return forward();
        },
        penalise: (peer, reason) => penalised.push(`${peer}:${reason}`),
        ignored: () => false,
        received: () => {},
        inFlightChanged: () => {},
        decided: () => {},
      },
      { forwardTimeoutMs: 60_000, maxInFlight, ...extra },
    );
    return { i, sent, batches, penalised };
  }

  it('pauses a peer at the in-flight bound and resumes it when verdicts bring it to half', () => {
    const { i, sent } = intake(() => true, 4);
    const p = new FakePeer('p');
    for (let k = 0; k < 4; k++) i.offer(p, makeNodeAnn(priv(100 + k), NOW_S));
    assert.deepEqual([sent.length, p.paused], [0, 1], 'paused at the bound, before the batch goes');
    i.flush();
    assert.equal(sent.length, 4);
    i.verdict({ id: sent[0]!.id, accepted: true, reason: '', detail: '' });
    assert.equal(p.resumed, 0, 'three in flight is above half');
    i.verdict({ id: sent[1]!.id, accepted: false, reason: 'stale', detail: '' });
    assert.equal(p.resumed, 1);
    assert.equal(i.inFlight, 2);
  });

  it('pauses a peer while the mesh link is saturated, until it drains', () => {
    const { i } = intake(() => false, 100);
    const p = new FakePeer('p');
    i.offer(p, makeNodeAnn(priv(200), NOW_S));
    i.flush();
    i.offer(p, makeNodeAnn(priv(201), NOW_S));
    i.flush();
    assert.equal(p.paused, 1, 'paused once');
    i.linkDrained();
    assert.equal(p.resumed, 1);
  });

  it('forwards what one turn offered in one batch, split at maxBatch, and the rest on the next turn', async () => {
    const { i, sent, batches } = intake(() => true, 100, { maxBatch: 3 });
    const p = new FakePeer('p');
    for (let k = 0; k < 5; k++) i.offer(p, makeNodeAnn(priv(300 + k), NOW_S));
    assert.deepEqual(batches, [3], 'a full batch goes at once');
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(batches, [3, 2], 'the rest at the end of the turn');
    assert.deepEqual(
      sent.map((s) => s.id),
      [1n, 2n, 3n, 4n, 5n],
    );
    assert.equal(i.inFlight, 5);
  });

  it('drops a batch the backend cannot take: each item decided, nothing left in flight', () => {
    const { i } = intake(() => {
      throw new Error('no router');
    }, 100);
    const p = new FakePeer('p');
    const ann = makeNodeAnn(priv(400), NOW_S);
    i.offer(p, ann);
    i.flush();
    assert.equal(i.inFlight, 0);
    assert.equal(i.dedup.inFlight, 0);
  });

  it('checks an update against its announcement in flight and names the signer', () => {
    const { i, sent, penalised } = intake(() => true, 100, { checkAnnouncingFrom: 0 });
    const p = new FakePeer('p');
    const ch = makeChannel(priv(1), priv(2), scid(500));
    i.offer(p, ch.ann);
    i.offer(p, makeUpdate(ch, 1, NOW_S));
    i.flush();
    const [ann, upd] = sent;
    assert.equal(ann?.signaturesChecked, true);
    assert.equal(upd?.signaturesChecked, true, 'checked against the announcement in flight');
    const node2 = ch.ann.subarray(2 + 256 + 2 + 32 + 8 + 33, 2 + 256 + 2 + 32 + 8 + 66);
    assert.deepEqual(Buffer.from(upd?.signer ?? []), Buffer.from(node2), 'direction 1: node_id_2');
    // A bad signature against an announcement still in flight is not proof (the announcement may
    // be a forgery that loses): forwarded unchecked, no penalty.
    i.offer(p, corrupt(makeUpdate(ch, 0, NOW_S)));
    i.flush();
    assert.equal(sent[2]?.signaturesChecked, false);
    assert.equal(sent[2]?.signer.length, 0);
    assert.deepEqual(penalised, []);
    // Once the announcement is decided (rejected here), its updates are no longer checked.
    i.verdict({ id: ann?.id ?? 0n, accepted: false, reason: 'funding_missing', detail: '' });
    i.offer(p, makeUpdate(ch, 0, NOW_S + 1));
    i.flush();
    assert.equal(sent[3]?.signaturesChecked, false);
  });

  it('leaves updates of announcements in flight to the backend while it keeps up', () => {
    // Default: checked here only from maxInFlight / 4 forwards in flight (25 here).
    const { i, sent } = intake(() => true, 100);
    const p = new FakePeer('p');
    const ch = makeChannel(priv(1), priv(2), scid(600));
    i.offer(p, ch.ann);
    i.offer(p, makeUpdate(ch, 0, NOW_S));
    for (let k = 0; k < 24; k++) i.offer(p, makeNodeAnn(priv(700 + k), NOW_S));
    i.offer(p, makeUpdate(ch, 1, NOW_S));
    i.flush();
    assert.equal(sent[1]?.signaturesChecked, false, 'one in flight: the backend checks it');
    assert.equal(sent[26]?.signaturesChecked, true, '26 in flight: checked here');
  });

  it('pauses its peers once a turn of the event loop took its budget, until the next turn', async () => {
    const { i } = intake(() => true, 1000, { turnBudget: 3 });
    const p = new FakePeer('p');
    for (let k = 0; k < 5; k++) i.offer(p, makeNodeAnn(priv(800 + k), NOW_S));
    assert.deepEqual([p.paused, p.resumed], [1, 0]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual([p.paused, p.resumed], [1, 1]);
  });
});
