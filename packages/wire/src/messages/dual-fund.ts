import { decodeTlvStream, type Extension, encodeTlvStream, type TlvStream } from '../tlv.js';
import { type ChannelKeys, rawBytesTlv, readKeys, writeKeys } from './channel-open.js';
import { messageCodec, readExtension, writeExtension } from './codec.js';
import { flagTlv } from './interactive-tx.js';

/** BOLT 2 `opening_tlvs` / `accept_tlvs` (channel establishment v2). */
export const OPENING_TLVS = {
  /** type 0 `upfront_shutdown_script`. */
  upfrontShutdownScript: rawBytesTlv(0n),
  /** type 1 `channel_type`. */
  channelType: rawBytesTlv(1n),
  /** type 2 `require_confirmed_inputs`. */
  requireConfirmedInputs: flagTlv(2n),
};

/** BOLT 2 "Channel Establishment v2": `open_channel2` (type 64). */
export interface OpenChannel2Message extends ChannelKeys {
  type: 'open_channel2';
  chainHash: Uint8Array;
  temporaryChannelId: Uint8Array;
  fundingFeeratePerkw: number;
  commitmentFeeratePerkw: number;
  fundingSatoshis: bigint;
  dustLimitSatoshis: bigint;
  maxHtlcValueInFlightMsat: bigint;
  htlcMinimumMsat: bigint;
  toSelfDelay: number;
  maxAcceptedHtlcs: number;
  locktime: number;
  secondPerCommitmentPoint: Uint8Array;
  channelFlags: number;
  tlvs: TlvStream<typeof OPENING_TLVS>;
}

/** BOLT 2 `open_channel2` (type 64). */
export const openChannel2Codec = messageCodec<OpenChannel2Message>(
  64,
  'open_channel2',
  (w, m) => {
    w.bytes32(m.chainHash, 'chain_hash')
      .bytes32(m.temporaryChannelId, 'temporary_channel_id')
      .u32(m.fundingFeeratePerkw, 'funding_feerate_perkw')
      .u32(m.commitmentFeeratePerkw, 'commitment_feerate_perkw')
      .u64(m.fundingSatoshis, 'funding_satoshis')
      .u64(m.dustLimitSatoshis, 'dust_limit_satoshis')
      .u64(m.maxHtlcValueInFlightMsat, 'max_htlc_value_in_flight_msat')
      .u64(m.htlcMinimumMsat, 'htlc_minimum_msat')
      .u16(m.toSelfDelay, 'to_self_delay')
      .u16(m.maxAcceptedHtlcs, 'max_accepted_htlcs')
      .u32(m.locktime, 'locktime');
    writeKeys(w, m);
    w.point(m.secondPerCommitmentPoint, 'second_per_commitment_point').u8(m.channelFlags, 'channel_flags');
    encodeTlvStream(OPENING_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'open_channel2',
    chainHash: r.bytes32('chain_hash'),
    temporaryChannelId: r.bytes32('temporary_channel_id'),
    fundingFeeratePerkw: r.u32('funding_feerate_perkw'),
    commitmentFeeratePerkw: r.u32('commitment_feerate_perkw'),
    fundingSatoshis: r.u64('funding_satoshis'),
    dustLimitSatoshis: r.u64('dust_limit_satoshis'),
    maxHtlcValueInFlightMsat: r.u64('max_htlc_value_in_flight_msat'),
    htlcMinimumMsat: r.u64('htlc_minimum_msat'),
    toSelfDelay: r.u16('to_self_delay'),
    maxAcceptedHtlcs: r.u16('max_accepted_htlcs'),
    locktime: r.u32('locktime'),
    ...readKeys(r),
    secondPerCommitmentPoint: r.point('second_per_commitment_point'),
    channelFlags: r.u8('channel_flags'),
    tlvs: decodeTlvStream(OPENING_TLVS, r),
  }),
);

/** BOLT 2 `accept_channel2` (type 65). */
export interface AcceptChannel2Message extends ChannelKeys {
  type: 'accept_channel2';
  temporaryChannelId: Uint8Array;
  fundingSatoshis: bigint;
  dustLimitSatoshis: bigint;
  maxHtlcValueInFlightMsat: bigint;
  htlcMinimumMsat: bigint;
  minimumDepth: number;
  toSelfDelay: number;
  maxAcceptedHtlcs: number;
  secondPerCommitmentPoint: Uint8Array;
  tlvs: TlvStream<typeof OPENING_TLVS>;
}

/** BOLT 2 `accept_channel2` (type 65). */
export const acceptChannel2Codec = messageCodec<AcceptChannel2Message>(
  65,
  'accept_channel2',
  (w, m) => {
    w.bytes32(m.temporaryChannelId, 'temporary_channel_id')
      .u64(m.fundingSatoshis, 'funding_satoshis')
      .u64(m.dustLimitSatoshis, 'dust_limit_satoshis')
      .u64(m.maxHtlcValueInFlightMsat, 'max_htlc_value_in_flight_msat')
      .u64(m.htlcMinimumMsat, 'htlc_minimum_msat')
      .u32(m.minimumDepth, 'minimum_depth')
      .u16(m.toSelfDelay, 'to_self_delay')
      .u16(m.maxAcceptedHtlcs, 'max_accepted_htlcs');
    writeKeys(w, m);
    w.point(m.secondPerCommitmentPoint, 'second_per_commitment_point');
    encodeTlvStream(OPENING_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'accept_channel2',
    temporaryChannelId: r.bytes32('temporary_channel_id'),
    fundingSatoshis: r.u64('funding_satoshis'),
    dustLimitSatoshis: r.u64('dust_limit_satoshis'),
    maxHtlcValueInFlightMsat: r.u64('max_htlc_value_in_flight_msat'),
    htlcMinimumMsat: r.u64('htlc_minimum_msat'),
    minimumDepth: r.u32('minimum_depth'),
    toSelfDelay: r.u16('to_self_delay'),
    maxAcceptedHtlcs: r.u16('max_accepted_htlcs'),
    ...readKeys(r),
    secondPerCommitmentPoint: r.point('second_per_commitment_point'),
    tlvs: decodeTlvStream(OPENING_TLVS, r),
  }),
);

/** BOLT 2 `splice_init_tlvs` / `splice_ack_tlvs`. */
export const SPLICE_TLVS = {
  /** type 2 `require_confirmed_inputs`. */
  requireConfirmedInputs: flagTlv(2n),
};

/** BOLT 2 "Channel Splicing": `splice_init` (type 80). */
export interface SpliceInitMessage {
  type: 'splice_init';
  channelId: Uint8Array;
  fundingContributionSatoshis: bigint;
  fundingFeeratePerkw: number;
  locktime: number;
  fundingPubkey: Uint8Array;
  tlvs: TlvStream<typeof SPLICE_TLVS>;
}

/** BOLT 2 `splice_init` (type 80). */
export const spliceInitCodec = messageCodec<SpliceInitMessage>(
  80,
  'splice_init',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id')
      .s64(m.fundingContributionSatoshis, 'funding_contribution_satoshis')
      .u32(m.fundingFeeratePerkw, 'funding_feerate_perkw')
      .u32(m.locktime, 'locktime')
      .point(m.fundingPubkey, 'funding_pubkey');
    encodeTlvStream(SPLICE_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'splice_init',
    channelId: r.bytes32('channel_id'),
    fundingContributionSatoshis: r.s64('funding_contribution_satoshis'),
    fundingFeeratePerkw: r.u32('funding_feerate_perkw'),
    locktime: r.u32('locktime'),
    fundingPubkey: r.point('funding_pubkey'),
    tlvs: decodeTlvStream(SPLICE_TLVS, r),
  }),
);

/** BOLT 2 `splice_ack` (type 81). */
export interface SpliceAckMessage {
  type: 'splice_ack';
  channelId: Uint8Array;
  fundingContributionSatoshis: bigint;
  fundingPubkey: Uint8Array;
  tlvs: TlvStream<typeof SPLICE_TLVS>;
}

/** BOLT 2 `splice_ack` (type 81). */
export const spliceAckCodec = messageCodec<SpliceAckMessage>(
  81,
  'splice_ack',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id')
      .s64(m.fundingContributionSatoshis, 'funding_contribution_satoshis')
      .point(m.fundingPubkey, 'funding_pubkey');
    encodeTlvStream(SPLICE_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'splice_ack',
    channelId: r.bytes32('channel_id'),
    fundingContributionSatoshis: r.s64('funding_contribution_satoshis'),
    fundingPubkey: r.point('funding_pubkey'),
    tlvs: decodeTlvStream(SPLICE_TLVS, r),
  }),
);

/** BOLT 2 `splice_locked` (type 77). */
export interface SpliceLockedMessage {
  type: 'splice_locked';
  channelId: Uint8Array;
  spliceTxid: Uint8Array;
  tlvs: Extension;
}

/** BOLT 2 `splice_locked` (type 77). */
export const spliceLockedCodec = messageCodec<SpliceLockedMessage>(
  77,
  'splice_locked',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').bytes32(m.spliceTxid, 'splice_txid');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'splice_locked',
    channelId: r.bytes32('channel_id'),
    spliceTxid: r.bytes32('splice_txid'),
    tlvs: readExtension(r),
  }),
);
