import type { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';
import { decodeTlvStream, type Extension, encodeTlvStream, type TlvStream, tlvField } from '../tlv.js';
import { messageCodec, readExtension, writeExtension } from './codec.js';

/** A TLV whose value is the raw remaining bytes (`...*byte`). */
export const rawBytesTlv = (type: bigint) =>
  tlvField<Uint8Array>(
    type,
    (r) => r.rest(),
    (w, v) => w.bytes(v),
  );

/** BOLT 2 `open_channel_tlvs` / `accept_channel_tlvs`. */
export const OPEN_CHANNEL_TLVS = {
  /** type 0 `upfront_shutdown_script`: `shutdown_scriptpubkey` (may be empty). */
  upfrontShutdownScript: rawBytesTlv(0n),
  /** type 1 `channel_type`: a feature-bit vector (BOLT 9 context T). */
  channelType: rawBytesTlv(1n),
};

/** The basepoints and limits shared by `open_channel` and `accept_channel`. */
export interface ChannelKeys {
  fundingPubkey: Uint8Array;
  revocationBasepoint: Uint8Array;
  paymentBasepoint: Uint8Array;
  delayedPaymentBasepoint: Uint8Array;
  htlcBasepoint: Uint8Array;
  firstPerCommitmentPoint: Uint8Array;
}

export function readKeys(r: Reader): ChannelKeys {
  return {
    fundingPubkey: r.point('funding_pubkey'),
    revocationBasepoint: r.point('revocation_basepoint'),
    paymentBasepoint: r.point('payment_basepoint'),
    delayedPaymentBasepoint: r.point('delayed_payment_basepoint'),
    htlcBasepoint: r.point('htlc_basepoint'),
    firstPerCommitmentPoint: r.point('first_per_commitment_point'),
  };
}

export function writeKeys(w: Writer, m: ChannelKeys): void {
  w.point(m.fundingPubkey, 'funding_pubkey')
    .point(m.revocationBasepoint, 'revocation_basepoint')
    .point(m.paymentBasepoint, 'payment_basepoint')
    .point(m.delayedPaymentBasepoint, 'delayed_payment_basepoint')
    .point(m.htlcBasepoint, 'htlc_basepoint')
    .point(m.firstPerCommitmentPoint, 'first_per_commitment_point');
}

/** BOLT 2 `open_channel` (type 32). */
export interface OpenChannelMessage extends ChannelKeys {
  type: 'open_channel';
  chainHash: Uint8Array;
  temporaryChannelId: Uint8Array;
  fundingSatoshis: bigint;
  pushMsat: bigint;
  dustLimitSatoshis: bigint;
  maxHtlcValueInFlightMsat: bigint;
  channelReserveSatoshis: bigint;
  htlcMinimumMsat: bigint;
  feeratePerKw: number;
  toSelfDelay: number;
  maxAcceptedHtlcs: number;
  /** Bit 0 `announce_channel`. */
  channelFlags: number;
  tlvs: TlvStream<typeof OPEN_CHANNEL_TLVS>;
}

/** BOLT 2 `open_channel` (type 32). */
export const openChannelCodec = messageCodec<OpenChannelMessage>(
  32,
  'open_channel',
  (w, m) => {
    w.bytes32(m.chainHash, 'chain_hash')
      .bytes32(m.temporaryChannelId, 'temporary_channel_id')
      .u64(m.fundingSatoshis, 'funding_satoshis')
      .u64(m.pushMsat, 'push_msat')
      .u64(m.dustLimitSatoshis, 'dust_limit_satoshis')
      .u64(m.maxHtlcValueInFlightMsat, 'max_htlc_value_in_flight_msat')
      .u64(m.channelReserveSatoshis, 'channel_reserve_satoshis')
      .u64(m.htlcMinimumMsat, 'htlc_minimum_msat')
      .u32(m.feeratePerKw, 'feerate_per_kw')
      .u16(m.toSelfDelay, 'to_self_delay')
      .u16(m.maxAcceptedHtlcs, 'max_accepted_htlcs');
    writeKeys(w, m);
    w.u8(m.channelFlags, 'channel_flags');
    encodeTlvStream(OPEN_CHANNEL_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'open_channel',
    chainHash: r.bytes32('chain_hash'),
    temporaryChannelId: r.bytes32('temporary_channel_id'),
    fundingSatoshis: r.u64('funding_satoshis'),
    pushMsat: r.u64('push_msat'),
    dustLimitSatoshis: r.u64('dust_limit_satoshis'),
    maxHtlcValueInFlightMsat: r.u64('max_htlc_value_in_flight_msat'),
    channelReserveSatoshis: r.u64('channel_reserve_satoshis'),
    htlcMinimumMsat: r.u64('htlc_minimum_msat'),
    feeratePerKw: r.u32('feerate_per_kw'),
    toSelfDelay: r.u16('to_self_delay'),
    maxAcceptedHtlcs: r.u16('max_accepted_htlcs'),
    ...readKeys(r),
    channelFlags: r.u8('channel_flags'),
    tlvs: decodeTlvStream(OPEN_CHANNEL_TLVS, r),
  }),
);

/** BOLT 2 `accept_channel` (type 33). */
export interface AcceptChannelMessage extends ChannelKeys {
  type: 'accept_channel';
  temporaryChannelId: Uint8Array;
  dustLimitSatoshis: bigint;
  maxHtlcValueInFlightMsat: bigint;
  channelReserveSatoshis: bigint;
  htlcMinimumMsat: bigint;
  minimumDepth: number;
  toSelfDelay: number;
  maxAcceptedHtlcs: number;
  tlvs: TlvStream<typeof OPEN_CHANNEL_TLVS>;
}

/** BOLT 2 `accept_channel` (type 33). */
export const acceptChannelCodec = messageCodec<AcceptChannelMessage>(
  33,
  'accept_channel',
  (w, m) => {
    w.bytes32(m.temporaryChannelId, 'temporary_channel_id')
      .u64(m.dustLimitSatoshis, 'dust_limit_satoshis')
      .u64(m.maxHtlcValueInFlightMsat, 'max_htlc_value_in_flight_msat')
      .u64(m.channelReserveSatoshis, 'channel_reserve_satoshis')
      .u64(m.htlcMinimumMsat, 'htlc_minimum_msat')
      .u32(m.minimumDepth, 'minimum_depth')
      .u16(m.toSelfDelay, 'to_self_delay')
      .u16(m.maxAcceptedHtlcs, 'max_accepted_htlcs');
    writeKeys(w, m);
    encodeTlvStream(OPEN_CHANNEL_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'accept_channel',
    temporaryChannelId: r.bytes32('temporary_channel_id'),
    dustLimitSatoshis: r.u64('dust_limit_satoshis'),
    maxHtlcValueInFlightMsat: r.u64('max_htlc_value_in_flight_msat'),
    channelReserveSatoshis: r.u64('channel_reserve_satoshis'),
    htlcMinimumMsat: r.u64('htlc_minimum_msat'),
    minimumDepth: r.u32('minimum_depth'),
    toSelfDelay: r.u16('to_self_delay'),
    maxAcceptedHtlcs: r.u16('max_accepted_htlcs'),
    ...readKeys(r),
    tlvs: decodeTlvStream(OPEN_CHANNEL_TLVS, r),
  }),
);

/** BOLT 2 `funding_created` (type 34). */
export interface FundingCreatedMessage {
  type: 'funding_created';
  temporaryChannelId: Uint8Array;
  fundingTxid: Uint8Array;
  fundingOutputIndex: number;
  signature: Uint8Array;
  tlvs: Extension;
}

/** BOLT 2 `funding_created` (type 34). */
export const fundingCreatedCodec = messageCodec<FundingCreatedMessage>(
  34,
  'funding_created',
  (w, m) => {
    w.bytes32(m.temporaryChannelId, 'temporary_channel_id')
      .bytes32(m.fundingTxid, 'funding_txid')
      .u16(m.fundingOutputIndex, 'funding_output_index')
      .signature(m.signature);
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'funding_created',
    temporaryChannelId: r.bytes32('temporary_channel_id'),
    fundingTxid: r.bytes32('funding_txid'),
    fundingOutputIndex: r.u16('funding_output_index'),
    signature: r.signature(),
    tlvs: readExtension(r),
  }),
);

/** BOLT 2 `funding_signed` (type 35). */
export interface FundingSignedMessage {
  type: 'funding_signed';
  channelId: Uint8Array;
  signature: Uint8Array;
  tlvs: Extension;
}

/** BOLT 2 `funding_signed` (type 35). */
export const fundingSignedCodec = messageCodec<FundingSignedMessage>(
  35,
  'funding_signed',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').signature(m.signature);
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'funding_signed',
    channelId: r.bytes32('channel_id'),
    signature: r.signature(),
    tlvs: readExtension(r),
  }),
);

/** BOLT 2 `channel_ready_tlvs`. */
export const CHANNEL_READY_TLVS = {
  /** type 1 `short_channel_id`: the `alias` (option_scid_alias). */
  shortChannelId: tlvField<bigint>(
    1n,
    (r) => r.shortChannelId('alias'),
    (w, v) => w.shortChannelId(v, 'alias'),
  ),
};

/** BOLT 2 `channel_ready` (type 36). */
export interface ChannelReadyMessage {
  type: 'channel_ready';
  channelId: Uint8Array;
  secondPerCommitmentPoint: Uint8Array;
  tlvs: TlvStream<typeof CHANNEL_READY_TLVS>;
}

/** BOLT 2 `channel_ready` (type 36). */
export const channelReadyCodec = messageCodec<ChannelReadyMessage>(
  36,
  'channel_ready',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').point(m.secondPerCommitmentPoint, 'second_per_commitment_point');
    encodeTlvStream(CHANNEL_READY_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'channel_ready',
    channelId: r.bytes32('channel_id'),
    secondPerCommitmentPoint: r.point('second_per_commitment_point'),
    tlvs: decodeTlvStream(CHANNEL_READY_TLVS, r),
  }),
);
