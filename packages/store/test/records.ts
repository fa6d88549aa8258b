import { createHash } from 'node:crypto';
import type { ChannelRecord, HtlcRecord, InvoiceRecord, PaymentRecord, PeerRecord } from '../src/index.js';

/** Deterministic bytes: the first `len` bytes of sha256-chained `label`. */
export function bytes(label: string, len = 32): Uint8Array {
  const out = new Uint8Array(len);
  let block = createHash('sha256').update(label).digest();
  for (let i = 0; i < len; i += 32) {
    out.set(block.subarray(0, Math.min(32, len - i)), i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** A 33-byte node id. */
export function nodeId(label: string): Uint8Array {
  const id = bytes(`node:${label}`, 33);
  id[0] = 2;
  return id;
}

export function peer(label: string, addresses: string[] = ['127.0.0.1:9735']): PeerRecord {
  return {
    nodeId: nodeId(label),
    addresses,
    features: bytes(`f:${label}`, 3),
    createdAt: 1_700_000_000,
    lastConnectedAt: null,
  };
}

export function channel(
  label: string,
  version: bigint,
  overrides: Partial<ChannelRecord> = {},
): ChannelRecord {
  return {
    channelId: bytes(`chan:${label}`),
    peerId: nodeId(`peer-of-${label}`),
    shortChannelId: null,
    state: 'NORMAL',
    fundingTxid: bytes(`txid:${label}`),
    fundingOutputIndex: 1,
    capacitySat: 16_777_215n,
    localBalanceMsat: 2_100_000_000_000_000_000n,
    version,
    blob: bytes(`blob:${label}:${version}`, 300),
    updatedAt: 1_700_000_000 + Number(version),
    ...overrides,
  };
}

export function htlc(channelId: Uint8Array, htlcId: bigint, overrides: Partial<HtlcRecord> = {}): HtlcRecord {
  return {
    channelId,
    direction: 'offered',
    htlcId,
    amountMsat: 1_000n + htlcId,
    paymentHash: bytes(`hash:${htlcId}`),
    cltvExpiry: 800_000,
    state: 'pending',
    onion: bytes(`onion:${htlcId}`, 1366),
    ...overrides,
  };
}

export function payment(label: string, overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId: bytes(`pid:${label}`),
    paymentHash: bytes(`phash:${label}`),
    destination: nodeId(`dest:${label}`),
    amountMsat: 123_456_789n,
    feeMsat: 1_000n,
    status: 'pending',
    preimage: null,
    bolt11: null,
    failureReason: null,
    createdAt: 1_700_000_000,
    completedAt: null,
    ...overrides,
  };
}

export function invoice(label: string, overrides: Partial<InvoiceRecord> = {}): InvoiceRecord {
  return {
    paymentHash: bytes(`ihash:${label}`),
    preimage: bytes(`ipre:${label}`),
    paymentSecret: bytes(`isecret:${label}`),
    amountMsat: 50_000n,
    bolt11: `lnbcrt500n1${label}`,
    description: `invoice ${label}`,
    status: 'open',
    receivedMsat: null,
    createdAt: 1_700_000_000,
    expiresAt: 1_700_003_600,
    paidAt: null,
    ...overrides,
  };
}

/** BOLT 7 short_channel_id from block, tx index and output index. */
export function scid(block: number, tx: number, out: number): bigint {
  return (BigInt(block) << 40n) | (BigInt(tx) << 16n) | BigInt(out);
}
