import { once } from 'node:events';
import { type ActorRef, ClusterMember, CodecRegistry, type Message } from '@shoal/cluster';
import { secp256k1 } from '@shoal/crypto';
import {
  type FrontProtocol,
  GOSSIP_DELTAS_TOPIC,
  type GossipIn,
  MESH_PROTOCOL_VERSION,
  PATHS,
  registerFrontProtocol,
} from '@shoal/front-protocol';
import {
  type GraphDelta,
  keyLess,
  signChannelAnnouncement,
  signChannelUpdate,
  signNodeAnnouncement,
} from '@shoal/gossip';
import { silentLogger } from '@shoal/log';
import { type ChannelUpdateMessage, encodeMessage, Features } from '@shoal/wire';
import { clusterTls, REGTEST, type Received, TestPeer, until } from './harness.js';

/** Our init features in the gossip tests: BOLT 7 queries (extended) on top of the usual ones. */
export const GOSSIP_FEATURES = Features.of({
  var_onion_optin: 'compulsory',
  payment_secret: 'compulsory',
  gossip_queries: 'optional',
  gossip_queries_ex: 'optional',
}).toBytes();
export const PLAIN_FEATURES = Features.of({
  var_onion_optin: 'compulsory',
  payment_secret: 'compulsory',
}).toBytes();

/** Test "now" in seconds: gossip timestamps are near it. */
export const NOW_S = Math.floor(Date.now() / 1000);

/**
 * A test backend for the router tests: a real mesh member with role `backend` that registers
 * `PATHS.switchboard` (answering `PeerAuthenticated` with `InitializeConnection`, `doSync` as the
 * test says) and `PATHS.router` (recording `GossipIn`, `GraphSubscribe`, `GossipSyncReport`; the
 * test sends snapshots, deltas and verdicts). With `autoSnapshot` set, every subscription is
 * answered at once with a snapshot of those deltas at `seq`.
 */
export class GossipBackend {
  readonly received: Received[] = [];
  readonly member: ClusterMember;
  readonly proto: FrontProtocol;
  doSync = false;
  autoSnapshot: GraphDelta[] | undefined;
  /** Set when an automatic snapshot could not be sent. */
  snapshotError: unknown;
  /** Deltas per `GraphSnapshot` of the automatic snapshots. */
  snapshotBatch = 2;
  seq = 0n;
  generation = 1n;
  #snapshotId = 0n;
  readonly #waiters = new Set<() => void>();

  constructor(readonly port: number) {
    const codecs = new CodecRegistry();
    this.proto = registerFrontProtocol(codecs);
    this.member = new ClusterMember(
      { logger: silentLogger, codecs },
      {
        host: '127.0.0.1',
        port,
        roles: ['backend'],
        seedNodes: [`127.0.0.1:${port}`],
        tls: clusterTls(),
        protocolVersion: MESH_PROTOCOL_VERSION,
        failureDetectorThresholdMs: 1000,
        heartbeatIntervalMs: 200,
        maxRetryDelayMs: 300,
      },
    );
  }

  async start(): Promise<void> {
    await this.member.start();
    const record = (msg: Message, sender: ActorRef | undefined): void => {
      this.received.push({ msg, sender });
      for (const w of [...this.#waiters]) w();
    };
    const sb = this.member.spawn<0>('switchboard', {
      initialState: 0,
      handle: (s, msg, ctx) => {
        if (this.proto.peerAuthenticated.is(msg)) {
          const init = { features: GOSSIP_FEATURES, chainHashes: [REGTEST], doSync: this.doSync };
          ctx.tell(msg.value.connection, this.proto.initializeConnection.of({ peer: ctx.self, ...init }));
        }
        record(msg, ctx.sender);
        return s;
      },
    });
    this.member.mediator.put(PATHS.switchboard, sb);
    const router = this.member.spawn<0>('router', {
      initialState: 0,
      handle: (s, msg, ctx) => {
        // A batch is recorded as itself and as its items, each as the `GossipIn` it stands for.
        if (this.proto.gossipInBatch.is(msg)) {
          const { replyTo, items } = msg.value;
          for (const it of items) {
            const { signer: _, ...one } = it;
            record(this.proto.gossipIn.of({ ...one, replyTo }), ctx.sender);
          }
        }
        record(msg, ctx.sender);
        if (this.proto.graphSubscribe.is(msg) && this.autoSnapshot)
          this.sendSnapshot(msg.value.replyTo, this.autoSnapshot, this.snapshotBatch).catch(
            (err: unknown) => {
              this.snapshotError = err;
            },
          );
        return s;
      },
    });
    this.member.mediator.put(PATHS.router, router);
  }

  stop(): Promise<void> {
    return this.member.stop();
  }

  /**
   * Streams a snapshot of `deltas` (reflecting `seq`) to `replyTo` in batches of `batch`, waiting
   * for the mesh link to drain whenever it is saturated (as the real backend must).
   */
  async sendSnapshot(replyTo: ActorRef, deltas: GraphDelta[], batch = 2): Promise<void> {
    const snapshotId = ++this.#snapshotId;
    const n = Math.max(1, Math.ceil(deltas.length / batch));
    for (let index = 0; index < n; index++) {
      const part = deltas.slice(index * batch, (index + 1) * batch);
      const last = index === n - 1;
      // 'drain' is emitted from a later I/O callback, so listening after the tell misses nothing.
      const ok = this.member.tell(
        replyTo,
        this.proto.graphSnapshot.of({ snapshotId, seq: this.seq, index, last, deltas: part }),
      );
      if (!ok) await once(this.member, 'drain');
    }
  }

  /** Publishes the next batch of deltas (or batch `seq` when given, to make a gap). */
  publish(deltas: GraphDelta[], seq = this.seq + 1n): void {
    this.seq = seq;
    this.member.mediator.publish(
      GOSSIP_DELTAS_TOPIC,
      this.proto.graphDeltas.of({ seq, generation: this.generation, deltas }),
    );
  }

  verdict(g: GossipIn, accepted: boolean, reason = '', detail = ''): void {
    this.member.tell(g.replyTo, this.proto.gossipVerdict.of({ id: g.id, accepted, reason, detail }));
  }

  /** Every received value of `type` matching `pred`. */
  all<T>(type: { is(m: Message): m is Message<T> }, pred: (v: T) => boolean = () => true): T[] {
    const out: T[] = [];
    for (const r of this.received) if (type.is(r.msg) && pred(r.msg.value)) out.push(r.msg.value);
    return out;
  }

  /** Waits until `n` messages of `type` matching `pred` were received; returns them. */
  waitCount<T>(
    type: { is(m: Message): m is Message<T> },
    n: number,
    pred: (v: T) => boolean = () => true,
    timeoutMs = 8000,
  ): Promise<T[]> {
    return until(
      (wake) => {
        this.#waiters.add(wake);
        return () => this.#waiters.delete(wake);
      },
      () => {
        const got = this.all(type, pred);
        return got.length >= n ? got : undefined;
      },
      `${n} ${type.constructor.name} message(s)`,
      timeoutMs,
    );
  }
}

/** An `init` with `features` and our chain. */
export function initWith(features: Uint8Array): Uint8Array {
  return encodeMessage({
    type: 'init',
    globalFeatures: new Uint8Array(0),
    features,
    tlvs: { networks: [REGTEST], unknown: [] },
  });
}

/** Connects a peer, answers the frontend's `init` with ours; resolves once the backend saw it ready. */
export async function gossipPeer(
  port: number,
  remote: Uint8Array,
  backend: GossipBackend,
  features = GOSSIP_FEATURES,
): Promise<TestPeer> {
  const peer = await TestPeer.connect(port, remote);
  await peer.take(16);
  peer.write(initWith(features));
  const me = peer.socket.localPublicKey;
  await backend.waitCount(backend.proto.connectionReady, 1, (v) => Buffer.from(v.nodeId).equals(me));
  return peer;
}

/** Sends a ping and waits for its pong: everything the frontend wrote before is then in `peer.messages`. */
export async function roundTrip(peer: TestPeer): Promise<void> {
  peer.write(
    encodeMessage({ type: 'ping', numPongBytes: 4, ignored: new Uint8Array(0), tlvs: { unknown: [] } }),
  );
  await peer.take(19);
}

/** Types of the messages a peer holds. */
export function typesOf(peer: TestPeer): number[] {
  return peer.messages.map((m) => m.readUInt16BE(0));
}

// ---- signed gossip ------------------------------------------------------------------------------

/** Deterministic private key `i`. */
export function priv(i: number): Buffer {
  const k = Buffer.alloc(32);
  k.writeUInt32BE(i, 28);
  k[0] = 0x21;
  return k;
}

const pub = (k: Uint8Array): Buffer => Buffer.from(secp256k1.publicKeyCreate(k));

export function scid(block: number, tx = 1, out = 0): bigint {
  return (BigInt(block) << 40n) | (BigInt(tx) << 16n) | BigInt(out);
}

export interface TestChannel {
  scid: bigint;
  ann: Uint8Array;
  nodePrivs: [Buffer, Buffer];
}

/** A channel between node keys `a` and `b`, signed by all four keys. */
export function makeChannel(a: Buffer, b: Buffer, id: bigint): TestChannel {
  const [p1, p2] = keyLess(pub(a), pub(b)) ? [a, b] : [b, a];
  const btc1 = priv(5000 + Number(id % 1000n) * 2);
  const btc2 = priv(5001 + Number(id % 1000n) * 2);
  const zero = new Uint8Array(64);
  const signed = signChannelAnnouncement(
    {
      type: 'channel_announcement',
      nodeSignature1: zero,
      nodeSignature2: zero,
      bitcoinSignature1: zero,
      bitcoinSignature2: zero,
      features: new Uint8Array(0),
      chainHash: REGTEST,
      shortChannelId: id,
      nodeId1: pub(p1),
      nodeId2: pub(p2),
      bitcoinKey1: pub(btc1),
      bitcoinKey2: pub(btc2),
      tlvs: { unknown: [] },
    },
    { node1: p1, node2: p2, bitcoin1: btc1, bitcoin2: btc2 },
  );
  return { scid: id, ann: signed.raw, nodePrivs: [p1, p2] };
}

/** A signed `channel_update` of `direction`. */
export function makeUpdate(
  ch: TestChannel,
  direction: 0 | 1,
  timestamp: number,
  fields: Partial<ChannelUpdateMessage> = {},
): Uint8Array {
  return signChannelUpdate(
    {
      type: 'channel_update',
      signature: new Uint8Array(64),
      chainHash: REGTEST,
      shortChannelId: ch.scid,
      timestamp,
      messageFlags: 1,
      channelFlags: direction,
      cltvExpiryDelta: 40,
      htlcMinimumMsat: 1000n,
      feeBaseMsat: 1000,
      feeProportionalMillionths: 100,
      htlcMaximumMsat: 500_000_000n,
      tlvs: { unknown: [] },
      ...fields,
    },
    ch.nodePrivs[direction],
  ).raw;
}

/** A signed `node_announcement`. */
export function makeNodeAnn(k: Buffer, timestamp: number): Uint8Array {
  const alias = Buffer.alloc(32);
  alias.write('router-test');
  return signNodeAnnouncement(
    {
      type: 'node_announcement',
      signature: new Uint8Array(64),
      features: new Uint8Array(0),
      timestamp,
      nodeId: pub(k),
      rgbColor: new Uint8Array([1, 2, 3]),
      alias,
      addresses: [],
      tlvs: { unknown: [] },
    },
    k,
  ).raw;
}

/** A copy of `raw` with one byte of its first signature flipped. */
export function corrupt(raw: Uint8Array): Uint8Array {
  const out = Buffer.from(raw);
  out[10] = out[10]! ^ 0xff;
  return out;
}

/** The deltas a backend would publish for a channel with both updates. */
export function channelDeltas(ch: TestChannel, ts: number, capacitySat = 1_000_000n): GraphDelta[] {
  return [
    { kind: 'channel_added', scid: ch.scid, announcement: ch.ann, capacitySat },
    { kind: 'channel_updated', scid: ch.scid, direction: 0, update: makeUpdate(ch, 0, ts) },
    { kind: 'channel_updated', scid: ch.scid, direction: 1, update: makeUpdate(ch, 1, ts + 1) },
  ];
}
