import { WireError } from '../errors.js';
import type { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';
import { decodeTlvStream, type Extension, encodeTlvStream, type TlvStream, tlvField } from '../tlv.js';
import { messageCodec, readExtension, writeExtension } from './codec.js';

/** BOLT 4 onion packet size carried by `update_add_htlc`. */
export const ONION_PACKET_SIZE = 1366;

/** BOLT 2 `update_add_htlc_tlvs`. */
export const UPDATE_ADD_HTLC_TLVS = {
  /** type 0 `blinded_path`: `path_key` (route blinding). */
  blindedPath: tlvField<Uint8Array>(
    0n,
    (r) => r.point('path_key'),
    (w, v) => w.point(v, 'path_key'),
  ),
};

/** BOLT 2 `update_add_htlc` (type 128). */
export interface UpdateAddHtlcMessage {
  type: 'update_add_htlc';
  channelId: Uint8Array;
  id: bigint;
  amountMsat: bigint;
  paymentHash: Uint8Array;
  cltvExpiry: number;
  onionRoutingPacket: Uint8Array;
  tlvs: TlvStream<typeof UPDATE_ADD_HTLC_TLVS>;
}

/** BOLT 2 `update_add_htlc` (type 128). */
export const updateAddHtlcCodec = messageCodec<UpdateAddHtlcMessage>(
  128,
  'update_add_htlc',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id')
      .u64(m.id, 'id')
      .u64(m.amountMsat, 'amount_msat')
      .bytes32(m.paymentHash, 'payment_hash')
      .u32(m.cltvExpiry, 'cltv_expiry')
      .fixed(m.onionRoutingPacket, ONION_PACKET_SIZE, 'onion_routing_packet');
    encodeTlvStream(UPDATE_ADD_HTLC_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'update_add_htlc',
    channelId: r.bytes32('channel_id'),
    id: r.u64('id'),
    amountMsat: r.u64('amount_msat'),
    paymentHash: r.bytes32('payment_hash'),
    cltvExpiry: r.u32('cltv_expiry'),
    onionRoutingPacket: r.bytes(ONION_PACKET_SIZE, 'onion_routing_packet'),
    tlvs: decodeTlvStream(UPDATE_ADD_HTLC_TLVS, r),
  }),
);

/** BOLT 2 / BOLT 4 `attribution_data`: 20 hold times and 210 truncated (4-byte) HMACs. */
export interface AttributionData {
  /** `20*u32`. */
  htlcHoldTimes: number[];
  /** `210*sha256[..4]`: 840 bytes. */
  truncatedHmacs: Uint8Array;
}

export const ATTRIBUTION_HOLD_TIMES = 20;
export const ATTRIBUTION_HMACS_SIZE = 210 * 4;

const attributionData = tlvField<AttributionData>(
  1n,
  (r) => {
    const htlcHoldTimes: number[] = [];
    for (let i = 0; i < ATTRIBUTION_HOLD_TIMES; i++) htlcHoldTimes.push(r.u32('htlc_hold_times'));
    return { htlcHoldTimes, truncatedHmacs: r.bytes(ATTRIBUTION_HMACS_SIZE, 'truncated_hmacs') };
  },
  (w, v) => {
    if (v.htlcHoldTimes.length !== ATTRIBUTION_HOLD_TIMES) {
      throw new WireError('WIRE_OUT_OF_RANGE', `htlc_hold_times needs ${ATTRIBUTION_HOLD_TIMES} entries`, {
        field: 'htlc_hold_times',
        actual: v.htlcHoldTimes.length,
      });
    }
    for (const t of v.htlcHoldTimes) w.u32(t, 'htlc_hold_times');
    w.fixed(v.truncatedHmacs, ATTRIBUTION_HMACS_SIZE, 'truncated_hmacs');
  },
);

/** BOLT 2 `update_fulfill_htlc_tlvs` and `update_fail_htlc_tlvs`. */
export const ATTRIBUTION_TLVS = {
  /** type 1 `attribution_data`. */
  attributionData,
};

/** BOLT 2 `update_fulfill_htlc` (type 130). */
export interface UpdateFulfillHtlcMessage {
  type: 'update_fulfill_htlc';
  channelId: Uint8Array;
  id: bigint;
  paymentPreimage: Uint8Array;
  tlvs: TlvStream<typeof ATTRIBUTION_TLVS>;
}

/** BOLT 2 `update_fulfill_htlc` (type 130). */
export const updateFulfillHtlcCodec = messageCodec<UpdateFulfillHtlcMessage>(
  130,
  'update_fulfill_htlc',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').u64(m.id, 'id').bytes32(m.paymentPreimage, 'payment_preimage');
    encodeTlvStream(ATTRIBUTION_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'update_fulfill_htlc',
    channelId: r.bytes32('channel_id'),
    id: r.u64('id'),
    paymentPreimage: r.bytes32('payment_preimage'),
    tlvs: decodeTlvStream(ATTRIBUTION_TLVS, r),
  }),
);

/** BOLT 2 `update_fail_htlc` (type 131). */
export interface UpdateFailHtlcMessage {
  type: 'update_fail_htlc';
  channelId: Uint8Array;
  id: bigint;
  reason: Uint8Array;
  tlvs: TlvStream<typeof ATTRIBUTION_TLVS>;
}

/** BOLT 2 `update_fail_htlc` (type 131). */
export const updateFailHtlcCodec = messageCodec<UpdateFailHtlcMessage>(
  131,
  'update_fail_htlc',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').u64(m.id, 'id').varBytes(m.reason, 'reason');
    encodeTlvStream(ATTRIBUTION_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'update_fail_htlc',
    channelId: r.bytes32('channel_id'),
    id: r.u64('id'),
    reason: r.varBytes('reason'),
    tlvs: decodeTlvStream(ATTRIBUTION_TLVS, r),
  }),
);

/** BOLT 2 `update_fail_malformed_htlc` (type 135). */
export interface UpdateFailMalformedHtlcMessage {
  type: 'update_fail_malformed_htlc';
  channelId: Uint8Array;
  id: bigint;
  sha256OfOnion: Uint8Array;
  failureCode: number;
  tlvs: Extension;
}

/** BOLT 2 `update_fail_malformed_htlc` (type 135). */
export const updateFailMalformedHtlcCodec = messageCodec<UpdateFailMalformedHtlcMessage>(
  135,
  'update_fail_malformed_htlc',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id')
      .u64(m.id, 'id')
      .bytes32(m.sha256OfOnion, 'sha256_of_onion')
      .u16(m.failureCode, 'failure_code');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'update_fail_malformed_htlc',
    channelId: r.bytes32('channel_id'),
    id: r.u64('id'),
    sha256OfOnion: r.bytes32('sha256_of_onion'),
    failureCode: r.u16('failure_code'),
    tlvs: readExtension(r),
  }),
);

/** BOLT 2 `commitment_signed_tlvs`. */
export const COMMITMENT_SIGNED_TLVS = {
  /** type 1 `funding_txid` (splicing: which funding transaction this signs for). */
  fundingTxid: tlvField<Uint8Array>(
    1n,
    (r) => r.bytes32('funding_txid'),
    (w, v) => w.bytes32(v, 'funding_txid'),
  ),
};

/** BOLT 2 `commitment_signed` (type 132). */
export interface CommitmentSignedMessage {
  type: 'commitment_signed';
  channelId: Uint8Array;
  signature: Uint8Array;
  htlcSignatures: Uint8Array[];
  tlvs: TlvStream<typeof COMMITMENT_SIGNED_TLVS>;
}

function readSignatures(r: Reader): Uint8Array[] {
  const n = r.u16('num_htlcs');
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(r.signature('htlc_signature'));
  return out;
}

function writeSignatures(w: Writer, sigs: readonly Uint8Array[]): void {
  w.u16(sigs.length, 'num_htlcs');
  for (const s of sigs) w.signature(s, 'htlc_signature');
}

/** BOLT 2 `commitment_signed` (type 132). */
export const commitmentSignedCodec = messageCodec<CommitmentSignedMessage>(
  132,
  'commitment_signed',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').signature(m.signature);
    writeSignatures(w, m.htlcSignatures);
    encodeTlvStream(COMMITMENT_SIGNED_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'commitment_signed',
    channelId: r.bytes32('channel_id'),
    signature: r.signature(),
    htlcSignatures: readSignatures(r),
    tlvs: decodeTlvStream(COMMITMENT_SIGNED_TLVS, r),
  }),
);

/** BOLT 2 `revoke_and_ack` (type 133). */
export interface RevokeAndAckMessage {
  type: 'revoke_and_ack';
  channelId: Uint8Array;
  perCommitmentSecret: Uint8Array;
  nextPerCommitmentPoint: Uint8Array;
  tlvs: Extension;
}

/** BOLT 2 `revoke_and_ack` (type 133). */
export const revokeAndAckCodec = messageCodec<RevokeAndAckMessage>(
  133,
  'revoke_and_ack',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id')
      .bytes32(m.perCommitmentSecret, 'per_commitment_secret')
      .point(m.nextPerCommitmentPoint, 'next_per_commitment_point');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'revoke_and_ack',
    channelId: r.bytes32('channel_id'),
    perCommitmentSecret: r.bytes32('per_commitment_secret'),
    nextPerCommitmentPoint: r.point('next_per_commitment_point'),
    tlvs: readExtension(r),
  }),
);

/** BOLT 2 `update_fee` (type 134). */
export interface UpdateFeeMessage {
  type: 'update_fee';
  channelId: Uint8Array;
  feeratePerKw: number;
  tlvs: Extension;
}

/** BOLT 2 `update_fee` (type 134). */
export const updateFeeCodec = messageCodec<UpdateFeeMessage>(
  134,
  'update_fee',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').u32(m.feeratePerKw, 'feerate_per_kw');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'update_fee',
    channelId: r.bytes32('channel_id'),
    feeratePerKw: r.u32('feerate_per_kw'),
    tlvs: readExtension(r),
  }),
);

/** BOLT 2 `start_batch_tlvs`. */
export const START_BATCH_TLVS = {
  /** type 1 `message_type`: the type of the batched messages. */
  messageType: tlvField<number>(
    1n,
    (r) => r.u16('message_type'),
    (w, v) => w.u16(v, 'message_type'),
  ),
};

/** BOLT 2 `start_batch` (type 127). */
export interface StartBatchMessage {
  type: 'start_batch';
  channelId: Uint8Array;
  batchSize: number;
  tlvs: TlvStream<typeof START_BATCH_TLVS>;
}

/** BOLT 2 `start_batch` (type 127). */
export const startBatchCodec = messageCodec<StartBatchMessage>(
  127,
  'start_batch',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').u16(m.batchSize, 'batch_size');
    encodeTlvStream(START_BATCH_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'start_batch',
    channelId: r.bytes32('channel_id'),
    batchSize: r.u16('batch_size'),
    tlvs: decodeTlvStream(START_BATCH_TLVS, r),
  }),
);
