import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANYONE_CAN_SPEND_SCRIPT, RegtestChain } from '@shoal/chain';
import type { ActorRef, Message } from '@shoal/cluster';
import { secp256k1 } from '@shoal/crypto';
import { GOSSIP_DELTAS_TOPIC, type GossipVerdict, type GraphDeltas, PATHS } from '@shoal/front-protocol';
import {
  fundingScriptPubKey,
  fundingWitnessScript,
  type GraphDelta,
  GraphReplica,
  keyLess,
  type RoutingGraph,
  type Signed,
  signChannelAnnouncement,
  signChannelUpdate,
  signNodeAnnouncement,
} from '@shoal/gossip';
import type { ChannelAnnouncementMessage, ChannelUpdateMessage, NodeAnnouncementMessage } from '@shoal/wire';
import { Block, script as bscript, Transaction } from 'bitcoinjs-lib';
import type { BackendOptions } from '../src/index.js';
import { Inbox, REGTEST, startBackend, type TestBackend, type TestFrontend } from './harness.js';

/** The backend's node private key in these tests (its node id is `nodeId(200)` of the harness). */
export const BACKEND_KEY = Buffer.alloc(32, 200);

/** Deterministic private key `i` (i >= 1). */
export function priv(i: number): Buffer {
  const k = Buffer.alloc(32);
  k.writeUInt32BE(i, 28);
  k[0] = 0x22;
  return k;
}

export const pub = (k: Uint8Array): Buffer => secp256k1.publicKeyCreate(k);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const nowS = (): number => Math.floor(Date.now() / 1000);

/** A channel the test funds on the regtest chain and announces with keys it holds. */
export interface TestChannel {
  scid: bigint;
  ann: Signed<ChannelAnnouncementMessage>;
  /** node_id_1's and node_id_2's private keys. */
  nodes: [Buffer, Buffer];
  bitcoin: [Buffer, Buffer];
  outpoint: { txid: Uint8Array; vout: number };
  capacitySat: bigint;
}

interface Coin {
  txid: Uint8Array;
  vout: number;
  value: bigint;
}

/** The embedded regtest chain with anyone-can-spend coins to fund channels from. */
export class FundingChain {
  readonly chain = new RegtestChain();
  readonly #coins: Coin[] = [];

  async start(coins = 3): Promise<void> {
    await this.chain.start();
    const hashes = await this.chain.generate(coins);
    await this.chain.generate(100);
    for (const h of hashes) {
      const raw = (await this.chain.getBlock(h))?.raw;
      const cb = raw === undefined ? undefined : Block.fromBuffer(Buffer.from(raw)).transactions?.[0];
      const out = cb?.outs[0];
      if (cb === undefined || out === undefined) throw new Error('coinbase without an output');
      this.#coins.push({ txid: cb.getHash(), vout: 0, value: out.value });
    }
  }

  /** Funds one channel per pair of node keys in one transaction, mined 6 deep. */
  async fund(
    pairs: [Buffer, Buffer][],
    firstBitcoinKey: number,
    capacitySat = 500_000n,
  ): Promise<TestChannel[]> {
    const coin = this.#coins.shift();
    if (coin === undefined) throw new Error('out of coins');
    const keys = pairs.map(
      (_, i) => [priv(firstBitcoinKey + 2 * i), priv(firstBitcoinKey + 2 * i + 1)] as const,
    );
    const tx = new Transaction();
    tx.version = 2;
    tx.addInput(coin.txid, coin.vout, 0xfffffffd);
    for (const [b1, b2] of keys) tx.addOutput(fundingScriptPubKey(pub(b1), pub(b2)), capacitySat);
    tx.addOutput(ANYONE_CAN_SPEND_SCRIPT, coin.value - capacitySat * BigInt(pairs.length) - 10_000n);
    tx.setWitness(0, [Uint8Array.of(0x51)]);
    await this.chain.sendRawTransaction(tx.toBuffer());
    const [hash] = await this.chain.generate(1);
    const block = await this.chain.getBlock(hash ?? new Uint8Array(32));
    if (block === undefined) throw new Error('mined block not found');
    const txs = Block.fromBuffer(Buffer.from(block.raw)).transactions ?? [];
    const txIndex = txs.findIndex((t) => Buffer.from(t.getHash()).equals(Buffer.from(tx.getHash())));
    await this.chain.generate(5);
    return pairs.map(([a, b], i) => {
      const scid = (BigInt(block.height) << 40n) | (BigInt(txIndex) << 16n) | BigInt(i);
      const [b1, b2] = keys[i]!;
      return announce(a, b, b1, b2, scid, { txid: tx.getHash(), vout: i }, capacitySat);
    });
  }

  /** Spends a channel's funding output with its two bitcoin keys (BOLT 3 funding witness), mined. */
  async spend(ch: TestChannel): Promise<number> {
    const tx = new Transaction();
    tx.version = 2;
    tx.addInput(ch.outpoint.txid, ch.outpoint.vout, 0xfffffffd);
    tx.addOutput(ANYONE_CAN_SPEND_SCRIPT, ch.capacitySat - 5_000n);
    const [k1, k2] = ch.bitcoin;
    const ws = fundingWitnessScript(pub(k1), pub(k2));
    const digest = tx.hashForWitnessV0(0, ws, ch.capacitySat, Transaction.SIGHASH_ALL);
    const ordered = keyLess(pub(k1), pub(k2)) ? [k1, k2] : [k2, k1];
    const sigs = ordered.map((k) =>
      bscript.signature.encode(secp256k1.sign(digest, k), Transaction.SIGHASH_ALL),
    );
    tx.setWitness(0, [new Uint8Array(0), ...sigs, ws]);
    await this.chain.sendRawTransaction(tx.toBuffer());
    await this.chain.generate(1);
    return (await this.chain.getTip()).height;
  }

  async stop(): Promise<void> {
    await this.chain.stop();
  }
}

function announce(
  a: Buffer,
  b: Buffer,
  b1: Buffer,
  b2: Buffer,
  scid: bigint,
  outpoint: { txid: Uint8Array; vout: number },
  capacitySat: bigint,
): TestChannel {
  const [n1, n2] = keyLess(pub(a), pub(b)) ? [a, b] : [b, a];
  const m: ChannelAnnouncementMessage = {
    type: 'channel_announcement',
    nodeSignature1: new Uint8Array(64),
    nodeSignature2: new Uint8Array(64),
    bitcoinSignature1: new Uint8Array(64),
    bitcoinSignature2: new Uint8Array(64),
    features: new Uint8Array(0),
    chainHash: REGTEST,
    shortChannelId: scid,
    nodeId1: pub(n1),
    nodeId2: pub(n2),
    bitcoinKey1: pub(b1),
    bitcoinKey2: pub(b2),
    tlvs: { unknown: [] },
  };
  const ann = signChannelAnnouncement(m, { node1: n1, node2: n2, bitcoin1: b1, bitcoin2: b2 });
  return { scid, ann, nodes: [n1, n2], bitcoin: [b1, b2], outpoint, capacitySat };
}

/** The same channel's keys announced at another short channel id (signed again). */
export function reannounce(ch: TestChannel, scid: bigint): TestChannel {
  return announce(ch.nodes[0], ch.nodes[1], ch.bitcoin[0], ch.bitcoin[1], scid, ch.outpoint, ch.capacitySat);
}

/** A signed `channel_update` of `direction` (BOLT 7), fields overridable. */
export function update(
  ch: TestChannel,
  direction: 0 | 1,
  fields: Partial<ChannelUpdateMessage> = {},
): Signed<ChannelUpdateMessage> {
  return signChannelUpdate(
    {
      type: 'channel_update',
      signature: new Uint8Array(64),
      chainHash: REGTEST,
      shortChannelId: ch.scid,
      timestamp: nowS() - 60,
      messageFlags: 1,
      channelFlags: direction,
      cltvExpiryDelta: 40 + direction,
      htlcMinimumMsat: 1000n,
      feeBaseMsat: 1000 + direction,
      feeProportionalMillionths: 100,
      htlcMaximumMsat: 400_000_000n,
      tlvs: { unknown: [] },
      ...fields,
    },
    ch.nodes[direction],
  );
}

/** A signed `node_announcement` with an IPv4 address. */
export function nodeAnn(k: Buffer, alias: string, timestamp = nowS() - 30): Signed<NodeAnnouncementMessage> {
  const a = Buffer.alloc(32);
  a.write(alias);
  return signNodeAnnouncement(
    {
      type: 'node_announcement',
      signature: new Uint8Array(64),
      features: Uint8Array.of(0x80),
      timestamp,
      nodeId: pub(k),
      rgbColor: Uint8Array.of(1, 2, 3),
      alias: a,
      addresses: [{ type: 'ipv4', addr: Uint8Array.of(127, 0, 0, 1), port: 9735 }],
      tlvs: { unknown: [] },
    },
    k,
  );
}

/** A backend with a SQLite store in `dir`, the given chain as its chain source, and the API. */
export type GossipBackend = TestBackend;

export function startGossipBackend(
  chain: RegtestChain | undefined,
  opts: { dir?: string; gossip?: BackendOptions['gossip']; nodeKey?: boolean } = {},
): Promise<GossipBackend> {
  return startBackend({
    dir: opts.dir ?? mkdtempSync(join(tmpdir(), 'shoal-router-')),
    reconnect: { enabled: false },
    deps: {
      ...(chain === undefined ? {} : { chain }),
      ...(opts.nodeKey === false ? {} : { nodeKey: BACKEND_KEY }),
    },
    options: {
      nodeId: pub(BACKEND_KEY),
      alias: 'shoal-router-test',
      publicAddresses: [{ type: 'ipv4', addr: Uint8Array.of(10, 0, 0, 1), port: 9735 }],
      ...(opts.gossip === undefined ? {} : { gossip: opts.gossip }),
    },
  });
}

/** A test frontend's gossip side: verdicts, snapshot batches and published deltas, each in an inbox. */
export class GossipClient {
  readonly inbox = new Inbox();
  readonly deltas: GraphDeltas[] = [];
  readonly ref: ActorRef;
  #id = 0n;
  #deltaWaiters: (() => void)[] = [];

  constructor(readonly fe: TestFrontend) {
    this.ref = fe.member.spawn(`gossip-${Math.random().toString(36).slice(2)}`, {
      initialState: undefined,
      handle: (_s: undefined, m: Message) => {
        if (fe.proto.graphDeltas.is(m)) {
          this.deltas.push(m.value);
          for (const w of this.#deltaWaiters.splice(0)) w();
        } else this.inbox.push(m);
      },
    });
  }

  /**
   * Subscribes to `gossip-deltas`. The subscription travels on the same mesh link as this
   * client's later messages to the backend, so it is registered there before they are handled.
   */
  subscribeDeltas(): void {
    this.fe.member.mediator.subscribe(GOSSIP_DELTAS_TOPIC, this.ref);
  }

  /** Sends one gossip message to `/backend/router` and returns its verdict. */
  async submit(message: Uint8Array, signaturesChecked = false) {
    const id = ++this.#id;
    this.fe.member.mediator.send(
      PATHS.router,
      this.fe.proto.gossipIn.of({ id, replyTo: this.ref, signaturesChecked, message }),
      { sender: this.ref },
    );
    const v = await this.inbox.take(this.fe.proto.gossipVerdict);
    if (v.id !== id) throw new Error(`verdict for ${v.id}, expected ${id}`);
    return v;
  }

  /**
   * Sends `items` in one `GossipInBatch` and collects their verdicts (from one or more
   * `GossipVerdictBatch`es), in the order of `items`.
   */
  async submitBatch(items: { message: Uint8Array; signaturesChecked?: boolean; signer?: Uint8Array }[]) {
    const ids = items.map(() => ++this.#id);
    const batch = items.map((it, i) => ({
      id: ids[i]!,
      signaturesChecked: it.signaturesChecked ?? false,
      signer: it.signer ?? new Uint8Array(0),
      message: it.message,
    }));
    this.fe.member.mediator.send(
      PATHS.router,
      this.fe.proto.gossipInBatch.of({ replyTo: this.ref, items: batch }),
      { sender: this.ref },
    );
    const got = new Map<bigint, GossipVerdict>();
    while (got.size < ids.length) {
      const v = await this.inbox.take(this.fe.proto.gossipVerdictBatch);
      for (const it of v.items) got.set(it.id, it);
    }
    return ids.map((id) => got.get(id)!);
  }

  /** Asks for the graph and builds a replica from the streamed snapshot. */
  async snapshot(): Promise<{ replica: GraphReplica; batches: number }> {
    this.fe.member.mediator.send(PATHS.router, this.fe.proto.graphSubscribe.of({ replyTo: this.ref }), {
      sender: this.ref,
    });
    const replica = new GraphReplica();
    let batches = 0;
    for (;;) {
      const b = await this.inbox.take(this.fe.proto.graphSnapshot);
      if (b.index !== batches) throw new Error(`snapshot batch ${b.index} out of order`);
      if (batches === 0) replica.beginSnapshot(Number(b.seq));
      replica.applySnapshotBatch(b.deltas);
      batches++;
      if (b.last) break;
    }
    replica.endSnapshot();
    return { replica, batches };
  }

  /** Waits until a published delta matches `pred`. */
  async waitDelta(pred: (d: GraphDelta) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.deltas.some((b) => b.deltas.some(pred))) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no matching graph delta published');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#deltaWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** A comparable dump of a graph (everything but local arrival times). */
export function dump(g: RoutingGraph): unknown {
  return {
    channels: [...g.channels()]
      .sort((a, b) => (a.scid < b.scid ? -1 : 1))
      .map((c) => ({
        scid: c.scid.toString(),
        ann: hex(c.announcement),
        cap: c.capacitySat.toString(),
        spent: c.spentAtHeight ?? null,
        u: c.updates.map((u) => (u ? hex(u.raw) : null)),
      })),
    nodes: [...g.nodes()]
      .map((n) => ({
        id: hex(n.nodeId),
        ann: n.announcement ? hex(n.announcement.raw) : null,
        ch: [...n.channels].map(String).sort(),
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  };
}
