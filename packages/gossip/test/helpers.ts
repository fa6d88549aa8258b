import { secp256k1 } from '@shoal/crypto';
import type {
  Address,
  ChannelAnnouncementMessage,
  ChannelUpdateMessage,
  NodeAnnouncementMessage,
} from '@shoal/wire';
import {
  type Clock,
  type FundingOutput,
  type FundingOutputLookup,
  fundingScriptPubKey,
  keyLess,
  type Signed,
  signChannelAnnouncement,
  signChannelUpdate,
  signNodeAnnouncement,
} from '../src/index.js';

/** A made-up chain hash for tests. */
export const CHAIN = Buffer.alloc(32, 0x06);
export const OTHER_CHAIN = Buffer.alloc(32, 0x07);
/** Test "now": 2026-01-01, seconds. */
export const NOW_S = 1_767_225_600;

/** Deterministic private key number `i` (i >= 1). */
export function priv(i: number): Buffer {
  const k = Buffer.alloc(32);
  k.writeUInt32BE(i, 28);
  k[0] = 0x11;
  return k;
}

export function pub(k: Uint8Array): Buffer {
  return secp256k1.publicKeyCreate(k);
}

export class FakeClock implements Clock {
  constructor(public ms = NOW_S * 1000) {}
  now(): number {
    return this.ms;
  }
  advanceSeconds(s: number): void {
    this.ms += s * 1000;
  }
}

export class FakeFunding implements FundingOutputLookup {
  readonly outputs = new Map<bigint, FundingOutput>();
  lookups = 0;
  async lookup(scid: bigint): Promise<FundingOutput | undefined> {
    this.lookups++;
    return this.outputs.get(scid);
  }
}

export interface TestChannel {
  scid: bigint;
  ann: Signed<ChannelAnnouncementMessage>;
  /** Private keys of node_id_1 and node_id_2 (sorted). */
  nodePrivs: [Buffer, Buffer];
  /** Private keys of bitcoin_key_1 and bitcoin_key_2. */
  bitcoinPrivs: [Buffer, Buffer];
  funding: FundingOutput;
}

export function scid(block: number, tx = 1, out = 0): bigint {
  return (BigInt(block) << 40n) | (BigInt(tx) << 16n) | BigInt(out);
}

/** Builds a signed channel between node keys `a` and `b` (any order) with its funding output. */
export function makeChannel(
  a: Buffer,
  b: Buffer,
  id: bigint,
  opts: { capacitySat?: bigint; features?: Uint8Array; chainHash?: Uint8Array; swapOrder?: boolean } = {},
): TestChannel {
  let [p1, p2] = keyLess(pub(a), pub(b)) ? [a, b] : [b, a];
  if (opts.swapOrder) [p1, p2] = [p2, p1];
  const btc1 = priv(1_000_000 + Number(id % 100_000n) * 2);
  const btc2 = priv(1_000_001 + Number(id % 100_000n) * 2);
  const unsigned: ChannelAnnouncementMessage = {
    type: 'channel_announcement',
    nodeSignature1: new Uint8Array(64),
    nodeSignature2: new Uint8Array(64),
    bitcoinSignature1: new Uint8Array(64),
    bitcoinSignature2: new Uint8Array(64),
    features: opts.features ?? new Uint8Array(0),
    chainHash: opts.chainHash ?? CHAIN,
    shortChannelId: id,
    nodeId1: pub(p1),
    nodeId2: pub(p2),
    bitcoinKey1: pub(btc1),
    bitcoinKey2: pub(btc2),
    tlvs: { unknown: [] },
  };
  const ann = signChannelAnnouncement(unsigned, { node1: p1, node2: p2, bitcoin1: btc1, bitcoin2: btc2 });
  const funding = {
    script: fundingScriptPubKey(pub(btc1), pub(btc2)),
    amountSat: opts.capacitySat ?? 1_000_000n,
    spent: false,
  };
  return { scid: id, ann, nodePrivs: [p1, p2], bitcoinPrivs: [btc1, btc2], funding };
}

/** A signed channel_update for `direction` of `ch`. */
export function makeUpdate(
  ch: TestChannel,
  direction: 0 | 1,
  fields: Partial<ChannelUpdateMessage> = {},
  signer?: Buffer,
): Signed<ChannelUpdateMessage> {
  const m: ChannelUpdateMessage = {
    type: 'channel_update',
    signature: new Uint8Array(64),
    chainHash: CHAIN,
    shortChannelId: ch.scid,
    timestamp: NOW_S - 60,
    messageFlags: 1,
    channelFlags: direction,
    cltvExpiryDelta: 40,
    htlcMinimumMsat: 1000n,
    feeBaseMsat: 1000,
    feeProportionalMillionths: 100,
    htlcMaximumMsat: 500_000_000n,
    tlvs: { unknown: [] },
    ...fields,
  };
  return signChannelUpdate(m, signer ?? ch.nodePrivs[direction]);
}

/** A signed node_announcement. */
export function makeNodeAnn(
  k: Buffer,
  timestamp = NOW_S - 30,
  addresses: Address[] = [{ type: 'ipv4', addr: new Uint8Array([127, 0, 0, 1]), port: 9735 }],
  features: Uint8Array = new Uint8Array(0),
): Signed<NodeAnnouncementMessage> {
  const alias = Buffer.alloc(32);
  alias.write('shoal-test');
  return signNodeAnnouncement(
    {
      type: 'node_announcement',
      signature: new Uint8Array(64),
      features,
      timestamp,
      nodeId: pub(k),
      rgbColor: new Uint8Array([1, 2, 3]),
      alias,
      addresses,
      tlvs: { unknown: [] },
    },
    k,
  );
}

/** Flips one bit of a copy of `raw` at `offset`. */
export function flip(raw: Uint8Array, offset: number): Uint8Array {
  const c = Uint8Array.from(raw);
  c[offset]! ^= 1;
  return c;
}
