import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GossipIn } from '@shoal/front-protocol';
import { GraphReplica, RebroadcastQueue } from '@shoal/gossip';
import { silentLogger } from '@shoal/log';
import { Features } from '@shoal/wire';
import { GossipIntake } from '../src/router/gossip-in.js';
import { PeerWriter } from '../src/router/peer-writer.js';
import type { RouterPeer } from '../src/router/types.js';
import { REGTEST } from './harness.js';
import { makeNodeAnn, NOW_S, priv } from './router-harness.js';

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
  function intake(forward: () => boolean, maxInFlight: number) {
    const sent: Omit<GossipIn, 'replyTo'>[] = [];
    const i = new GossipIntake(
      {
        replica: new GraphReplica(),
        queue: new RebroadcastQueue(),
        logger: silentLogger,
        now: () => Date.now(),
        forward: (m) => {
          sent.push(m);
          return forward();
        },
        penalise: () => {},
        ignored: () => false,
        received: () => {},
        inFlightChanged: () => {},
        decided: () => {},
      },
      { forwardTimeoutMs: 60_000, maxInFlight },
    );
    return { i, sent };
  }

  it('pauses a peer at the in-flight bound and resumes it when verdicts bring it to half', () => {
    const { i, sent } = intake(() => true, 4);
    const p = new FakePeer('p');
    for (let k = 0; k < 4; k++) i.offer(p, makeNodeAnn(priv(100 + k), NOW_S));
    assert.deepEqual([sent.length, p.paused], [4, 1]);
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
    i.offer(p, makeNodeAnn(priv(201), NOW_S));
    assert.equal(p.paused, 1, 'paused once');
    i.linkDrained();
    assert.equal(p.resumed, 1);
  });
});
