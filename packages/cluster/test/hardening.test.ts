import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type ActorRef,
  ClusterError,
  ClusterMember,
  type ClusterOptions,
  type ClusterTls,
  generateClusterCertificate,
  type MessageType,
} from '../src/index.js';
import { dialMesh } from '../src/transport/tls-socket.js';
import type { ClusterEvents, Logger } from '../src/types.js';
import { freePort } from './helpers.js';

const cc = generateClusterCertificate({ commonName: 'hardening' });
const tls: ClusterTls = { cert: cc.certPem, key: cc.keyPem, ca: cc.certPem };
const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const members: ClusterMember[] = [];
const ALL = `all${'.'.repeat(40)}`;
const PUB = `pub${'.'.repeat(40)}`;

async function startMember(seedNodes: string[], over: Partial<ClusterOptions> = {}): Promise<ClusterMember> {
  const m = new ClusterMember(
    { logger },
    {
      host: '127.0.0.1',
      port: 0,
      roles: ['test'],
      seedNodes,
      tls,
      protocolVersion: 1,
      failureDetectorThresholdMs: 2000,
      downAfterMs: 4000,
      heartbeatIntervalMs: 200,
      ...over,
    },
  );
  members.push(m);
  await m.start();
  return m;
}

type MemberEventName = 'member-up' | 'member-unreachable' | 'member-removed';

/** Resolves with the first event of `kind` about `address`; rejects after `timeoutMs`. */
function next(
  m: ClusterMember,
  kind: MemberEventName,
  address: () => string,
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const on = (...[e]: ClusterEvents[MemberEventName]) => {
      if (e.member.address !== address()) return;
      clearTimeout(timer);
      m.off(kind, on);
      resolve();
    };
    const timer = setTimeout(() => {
      m.off(kind, on);
      reject(new Error(`no ${kind} of ${address()} on ${m.address} within ${timeoutMs} ms`));
    }, timeoutMs);
    m.on(kind, on);
  });
}

describe('cluster member hardening (in-process, real TLS)', { timeout: 60_000 }, () => {
  let a: ClusterMember;
  let b: ClusterMember;

  before(async () => {
    a = await startMember([]);
    b = await startMember([a.address]);
    await next(a, 'member-up', () => b.address, 10_000);
  });

  after(async () => {
    await Promise.all(members.map((m) => m.stop()));
  });

  it('a member that stops while its links are still settling is removed, never unreachable', async () => {
    for (let i = 0; i < 6; i++) {
      const f = new ClusterMember({ logger }, { ...a.options, port: 0, seedNodes: [a.address] });
      members.push(f);
      const upA = next(a, 'member-up', () => f.address, 10_000);
      const upB = next(b, 'member-up', () => f.address, 10_000);
      await f.start();
      await Promise.all([upA, upB]);
      const unreachable: string[] = [];
      const onUnreachable = (...[e]: ClusterEvents['member-unreachable']) => {
        if (e.member.address === f.address) unreachable.push(e.member.address);
      };
      a.on('member-unreachable', onUnreachable);
      b.on('member-unreachable', onUnreachable);
      const removed = Promise.all([
        next(a, 'member-removed', () => f.address, 1500),
        next(b, 'member-removed', () => f.address, 1500),
      ]);
      await f.stop();
      await removed.finally(() => {
        a.off('member-unreachable', onUnreachable);
        b.off('member-unreachable', onUnreachable);
      });
      assert.deepEqual(unreachable, [], `iteration ${i}`);
    }
  });

  it('survives a peer that breaks the WebSocket protocol during the handshake', async () => {
    const small = await startMember([], { maxFrameBytes: 1024 });
    const ws = await dialMesh({ address: small.address, tls, maxPayload: 1 << 20, timeoutMs: 5000 });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.send(Buffer.alloc(4096), { binary: true });
    assert.equal(await closed, 1009);
    // Still alive (an unhandled 'error' would have crashed this process) and still accepting.
    const up = next(small, 'member-up', () => c.address, 10_000);
    const c = await startMember([small.address]);
    await up;
  });

  it('stop() does not wait for a client stuck in its TLS handshake (a peer frozen mid-dial)', {
    timeout: 10_000,
  }, async () => {
    const m = await startMember([]);
    const port = Number(m.address.slice(m.address.lastIndexOf(':') + 1));
    // Connected at the TCP level, never a TLS byte: Node's TLS server would keep it 120 s.
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await m.stop();
    await closed;
  });

  it('refuses a message larger than maxFrameBytes with a typed error; the link stays up', async () => {
    const x = await startMember([], { maxFrameBytes: 4096 });
    const upX = next(x, 'member-up', () => y.address, 10_000);
    const y = new ClusterMember({ logger }, { ...x.options, port: 0, seedNodes: [x.address] });
    members.push(y);
    const upY = next(y, 'member-up', () => x.address, 10_000);
    await y.start();
    await Promise.all([upX, upY]);
    const raw = y.codecs.register<Uint8Array>(
      100,
      'test.raw',
      (v) => v,
      (v) => v,
    );
    const got: number[] = [];
    let gotSmall!: () => void;
    const small = new Promise<void>((r) => {
      gotSmall = r;
    });
    const sink = x.spawn('sink', {
      initialState: 0,
      handle: (s, msg) => {
        if (raw.is(msg)) got.push(msg.value.length);
        if (raw.is(msg) && msg.value.length === 10) gotSmall();
        return s;
      },
    });
    x.codecs.register<Uint8Array>(
      100,
      'test.raw',
      (v) => v,
      (v) => v,
    );
    const unreachable: string[] = [];
    y.on('member-unreachable', (e) => unreachable.push(e.member.address));
    assert.throws(
      () => y.tell(sink, raw.of(new Uint8Array(8192))),
      (e) => e instanceof ClusterError && e.code === 'CLUSTER_BAD_FRAME',
    );
    assert.equal(y.tell(sink, raw.of(new Uint8Array(10))), true);
    await small;
    assert.deepEqual(got, [10]);
    assert.deepEqual(unreachable, []);
  });

  it('sendToAll and publish still reach the other members when one link overflows', async () => {
    const x = await startMember([], { sendQueueHighWaterMark: 16 * 1024 });
    const y = await startMember([x.address]);
    const z = await startMember([x.address]);
    const raw = new Map<ClusterMember, MessageType<Uint8Array>>();
    const got = new Map<ClusterMember, string[]>();
    const sinks = new Map<ClusterMember, ActorRef>();
    for (const m of [x, y, z]) {
      const t = m.codecs.register<Uint8Array>(
        101,
        'test.bytes',
        (v) => v,
        (v) => v,
      );
      raw.set(m, t);
      got.set(m, []);
      const ref = m.spawn('fanout', {
        initialState: 0,
        handle: (st, msg) => {
          if (t.is(msg) && msg.value.length > 0 && msg.value.length < 100)
            got.get(m)?.push(Buffer.from(msg.value).toString());
          return st;
        },
      });
      sinks.set(m, ref);
      if (m !== x) {
        m.mediator.subscribe('news', ref);
        m.mediator.put('/fanout', ref);
      }
    }
    await until(() => x.mediator.registeredPaths().get('/fanout')?.length === 2, 10_000, 'registrations');
    const [, first, second] = x.members().map((mi) => mi.address);
    const [full, other] = first === y.address ? [y, z] : [z, y];
    assert.equal(second, other.address);
    const t = raw.get(x) as MessageType<Uint8Array>;
    // Write callbacks only run on a later turn: a synchronous burst fills the queue to its limit.
    const big = t.of(new Uint8Array(16 * 1024));
    assert.throws(
      () => {
        for (let i = 0; i < 100; i++) x.tell(sinks.get(full) as ActorRef, big);
      },
      (e) => e instanceof ClusterError && e.code === 'CLUSTER_LINK_OVERFLOW',
    );
    const overflow = (e: unknown) => e instanceof ClusterError && e.code === 'CLUSTER_LINK_OVERFLOW';
    // Then to the brim with empty messages (19-byte frames), so the 60-byte ones below cannot fit.
    assert.throws(() => {
      for (let i = 0; i < 10_000; i++) x.tell(sinks.get(full) as ActorRef, t.of(new Uint8Array(0)));
    }, overflow);
    assert.throws(() => x.mediator.sendToAll('/fanout', t.of(Buffer.from(ALL))), overflow);
    assert.throws(() => x.mediator.publish('news', t.of(Buffer.from(PUB))), overflow);
    await until(() => (got.get(other)?.length ?? 0) >= 2, 10_000, 'delivery to the other member');
    assert.deepEqual(got.get(other), [ALL, PUB]);
  });

  it('a saturated link that closes emits drain, so a paused producer does not wait forever', async () => {
    const x = await startMember([], { sendQueueHighWaterMark: 16 * 1024 });
    const upX = next(x, 'member-up', () => y.address, 10_000);
    const y = new ClusterMember({ logger }, { ...x.options, port: 0, seedNodes: [x.address] });
    members.push(y);
    const upY = next(y, 'member-up', () => x.address, 10_000);
    await y.start();
    await Promise.all([upX, upY]);
    y.pauseReading(x.address, true);
    const t = x.codecs.register<Uint8Array>(
      102,
      'test.blob',
      (v) => v,
      (v) => v,
    );
    const target: ActorRef = { address: y.address, incarnation: y.incarnation, path: '/user/none' };
    let saturated = false;
    for (let i = 0; i < 4 && !saturated; i++) saturated = !x.tell(target, t.of(new Uint8Array(8 * 1024)));
    assert.ok(saturated, 'the burst saturated the link');
    const drained = new Promise<string>((resolve) => x.once('drain', resolve));
    const unreachable = next(x, 'member-unreachable', () => y.address, 10_000);
    x.linkTo(y.address)?.terminate();
    await unreachable;
    assert.equal(await drained, y.address);
  });

  it('backs off from a seed whose connection is dropped after the handshake (itself under another name)', async () => {
    // Loopback reached through its IPv4-mapped IPv6 form: the seed is this member, named otherwise.
    const drops: number[] = [];
    let fourth!: () => void;
    const gotFour = new Promise<void>((r) => {
      fourth = r;
    });
    const counting: Logger = {
      ...logger,
      debug: (msg, fields) => {
        if (msg === 'dropping a mesh connection' && fields?.why === 'connected to itself') {
          drops.push(Date.now());
          if (drops.length === 8) fourth();
        }
      },
    };
    const port = await freePort();
    const m = new ClusterMember(
      { logger: counting },
      { ...a.options, port, seedNodes: [`[::ffff:127.0.0.1]:${port}`], heartbeatIntervalMs: 20 },
    );
    members.push(m);
    await m.start();
    await gotFour;
    // Each attempt is dropped by both of its ends. With back-off (100 ms doubling) the 4th attempt
    // comes >= 1.4 s after the 1st; without it, one per 20 ms tick. Load only lengthens the gaps.
    const first = drops[0] ?? 0;
    const last = drops[7] ?? 0;
    assert.ok(last - first >= 1000, `4 self-connections within ${last - first} ms`);
  });
});

/** Polls `pred` once per event-loop turn until it holds; rejects after `timeoutMs`. */
async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}
