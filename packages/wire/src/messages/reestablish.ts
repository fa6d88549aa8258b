import type { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';
import { decodeTlvStream, type Extension, encodeTlvStream, type TlvStream, tlvField } from '../tlv.js';
import { messageCodec, readExtension, writeExtension } from './codec.js';

/** A funding txid with its `retransmit_flags` (BOLT 2 `channel_reestablish` TLVs). */
export interface FundingRetransmit {
  txid: Uint8Array;
  retransmitFlags: number;
}

const fundingTlv = (type: bigint, what: string) =>
  tlvField<FundingRetransmit>(
    type,
    (r: Reader) => ({ txid: r.bytes32(what), retransmitFlags: r.u8('retransmit_flags') }),
    (w: Writer, v) => w.bytes32(v.txid, what).u8(v.retransmitFlags, 'retransmit_flags'),
  );

/** BOLT 2 `channel_reestablish_tlvs`. */
export const CHANNEL_REESTABLISH_TLVS = {
  /** type 1 `next_funding`: `next_funding_txid`, flags (bit 0 `commitment_signed`). */
  nextFunding: fundingTlv(1n, 'next_funding_txid'),
  /** type 5 `my_current_funding_locked`: txid, flags (bit 0 `announcement_signatures`). */
  myCurrentFundingLocked: fundingTlv(5n, 'my_current_funding_locked_txid'),
};

/** BOLT 2 `channel_reestablish` (type 136). */
export interface ChannelReestablishMessage {
  type: 'channel_reestablish';
  channelId: Uint8Array;
  nextCommitmentNumber: bigint;
  nextRevocationNumber: bigint;
  yourLastPerCommitmentSecret: Uint8Array;
  myCurrentPerCommitmentPoint: Uint8Array;
  tlvs: TlvStream<typeof CHANNEL_REESTABLISH_TLVS>;
}

/** BOLT 2 "Message Retransmission": `channel_reestablish` (type 136). */
export const channelReestablishCodec = messageCodec<ChannelReestablishMessage>(
  136,
  'channel_reestablish',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id')
      .u64(m.nextCommitmentNumber, 'next_commitment_number')
      .u64(m.nextRevocationNumber, 'next_revocation_number')
      .bytes32(m.yourLastPerCommitmentSecret, 'your_last_per_commitment_secret')
      .point(m.myCurrentPerCommitmentPoint, 'my_current_per_commitment_point');
    encodeTlvStream(CHANNEL_REESTABLISH_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'channel_reestablish',
    channelId: r.bytes32('channel_id'),
    nextCommitmentNumber: r.u64('next_commitment_number'),
    nextRevocationNumber: r.u64('next_revocation_number'),
    yourLastPerCommitmentSecret: r.bytes32('your_last_per_commitment_secret'),
    myCurrentPerCommitmentPoint: r.point('my_current_per_commitment_point'),
    tlvs: decodeTlvStream(CHANNEL_REESTABLISH_TLVS, r),
  }),
);

/** BOLT 2 "Channel Quiescence": `stfu` (type 2). */
export interface StfuMessage {
  type: 'stfu';
  channelId: Uint8Array;
  initiator: number;
  tlvs: Extension;
}

/** BOLT 2 `stfu` (type 2). */
export const stfuCodec = messageCodec<StfuMessage>(
  2,
  'stfu',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').u8(m.initiator, 'initiator');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'stfu',
    channelId: r.bytes32('channel_id'),
    initiator: r.u8('initiator'),
    tlvs: readExtension(r),
  }),
);
