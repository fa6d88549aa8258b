import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ClusterError,
  ClusterMember,
  type ClusterOptions,
  type ClusterTls,
  generateClusterCertificate,
} from '../src/index.js';
import { dialMesh } from '../src/transport/tls-socket.js';
import type { ClusterEvents, Logger } from '../src/types.js';

const cc = generateClusterCertificate({ commonName: 'hardening' });
const tls: ClusterTls = { cert: cc.certPem, key: cc.keyPem, ca: cc.certPem };
const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const members: ClusterMember[] = [];

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
});
