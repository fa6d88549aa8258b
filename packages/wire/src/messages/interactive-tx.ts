import type { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';
import { decodeTlvStream, type Extension, encodeTlvStream, type TlvStream, tlvField } from '../tlv.js';
import { messageCodec, readExtension, writeExtension } from './codec.js';

/** BOLT 2 `require_confirmed_inputs`: a TLV with an empty value, present or absent. */
export const flagTlv = (type: bigint) =>
  tlvField<true>(
    type,
    () => true,
    () => {},
  );

/** BOLT 2 `tx_add_input_tlvs`. */
export const TX_ADD_INPUT_TLVS = {
  /** type 0 `shared_input_txid` (splicing: the current funding txid). */
  sharedInputTxid: tlvField<Uint8Array>(
    0n,
    (r) => r.bytes32('funding_txid'),
    (w, v) => w.bytes32(v, 'funding_txid'),
  ),
};

/** BOLT 2 "Interactive Transaction Construction": `tx_add_input` (type 66). */
export interface TxAddInputMessage {
  type: 'tx_add_input';
  channelId: Uint8Array;
  serialId: bigint;
  prevtx: Uint8Array;
  prevtxVout: number;
  sequence: number;
  tlvs: TlvStream<typeof TX_ADD_INPUT_TLVS>;
}

/** BOLT 2 `tx_add_input` (type 66). */
export const txAddInputCodec = messageCodec<TxAddInputMessage>(
  66,
  'tx_add_input',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id')
      .u64(m.serialId, 'serial_id')
      .varBytes(m.prevtx, 'prevtx')
      .u32(m.prevtxVout, 'prevtx_vout')
      .u32(m.sequence, 'sequence');
    encodeTlvStream(TX_ADD_INPUT_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'tx_add_input',
    channelId: r.bytes32('channel_id'),
    serialId: r.u64('serial_id'),
    prevtx: r.varBytes('prevtx'),
    prevtxVout: r.u32('prevtx_vout'),
    sequence: r.u32('sequence'),
    tlvs: decodeTlvStream(TX_ADD_INPUT_TLVS, r),
  }),
);

/** BOLT 2 `tx_add_output` (type 67). */
export interface TxAddOutputMessage {
  type: 'tx_add_output';
  channelId: Uint8Array;
  serialId: bigint;
  sats: bigint;
  script: Uint8Array;
  tlvs: Extension;
}

/** BOLT 2 `tx_add_output` (type 67). */
export const txAddOutputCodec = messageCodec<TxAddOutputMessage>(
  67,
  'tx_add_output',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id')
      .u64(m.serialId, 'serial_id')
      .u64(m.sats, 'sats')
      .varBytes(m.script, 'script');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'tx_add_output',
    channelId: r.bytes32('channel_id'),
    serialId: r.u64('serial_id'),
    sats: r.u64('sats'),
    script: r.varBytes('script'),
    tlvs: readExtension(r),
  }),
);

/** BOLT 2 `tx_remove_input` (type 68) and `tx_remove_output` (type 69). */
export interface TxRemoveInputMessage {
  type: 'tx_remove_input';
  channelId: Uint8Array;
  serialId: bigint;
  tlvs: Extension;
}

/** BOLT 2 `tx_remove_output` (type 69). */
export interface TxRemoveOutputMessage {
  type: 'tx_remove_output';
  channelId: Uint8Array;
  serialId: bigint;
  tlvs: Extension;
}

function writeRemove(w: Writer, m: TxRemoveInputMessage | TxRemoveOutputMessage): void {
  w.bytes32(m.channelId, 'channel_id').u64(m.serialId, 'serial_id');
  writeExtension(w, m.tlvs);
}

function readRemove<T extends 'tx_remove_input' | 'tx_remove_output'>(type: T, r: Reader) {
  return { type, channelId: r.bytes32('channel_id'), serialId: r.u64('serial_id'), tlvs: readExtension(r) };
}

/** BOLT 2 `tx_remove_input` (type 68). */
export const txRemoveInputCodec = messageCodec<TxRemoveInputMessage>(
  68,
  'tx_remove_input',
  writeRemove,
  (r) => readRemove('tx_remove_input', r),
);

/** BOLT 2 `tx_remove_output` (type 69). */
export const txRemoveOutputCodec = messageCodec<TxRemoveOutputMessage>(
  69,
  'tx_remove_output',
  writeRemove,
  (r) => readRemove('tx_remove_output', r),
);

/** BOLT 2 `tx_complete` (type 70). */
export interface TxCompleteMessage {
  type: 'tx_complete';
  channelId: Uint8Array;
  tlvs: Extension;
}

/** BOLT 2 `tx_complete` (type 70). */
export const txCompleteCodec = messageCodec<TxCompleteMessage>(
  70,
  'tx_complete',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id');
    writeExtension(w, m.tlvs);
  },
  (r) => ({ type: 'tx_complete', channelId: r.bytes32('channel_id'), tlvs: readExtension(r) }),
);

/** BOLT 2 `tx_signatures_tlvs`. */
export const TX_SIGNATURES_TLVS = {
  /** type 0 `shared_input_signature` (splicing). */
  sharedInputSignature: tlvField<Uint8Array>(
    0n,
    (r) => r.signature(),
    (w, v) => w.signature(v),
  ),
};

/** BOLT 2 `tx_signatures` (type 71). Each witness is the raw `witness_data` of one input. */
export interface TxSignaturesMessage {
  type: 'tx_signatures';
  channelId: Uint8Array;
  txid: Uint8Array;
  witnesses: Uint8Array[];
  tlvs: TlvStream<typeof TX_SIGNATURES_TLVS>;
}

/** BOLT 2 `tx_signatures` (type 71). */
export const txSignaturesCodec = messageCodec<TxSignaturesMessage>(
  71,
  'tx_signatures',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').bytes32(m.txid, 'txid').u16(m.witnesses.length, 'num_witnesses');
    for (const wit of m.witnesses) w.varBytes(wit, 'witness_data');
    encodeTlvStream(TX_SIGNATURES_TLVS, w, m.tlvs);
  },
  (r) => {
    const channelId = r.bytes32('channel_id');
    const txid = r.bytes32('txid');
    const n = r.u16('num_witnesses');
    const witnesses: Uint8Array[] = [];
    for (let i = 0; i < n; i++) witnesses.push(r.varBytes('witness_data'));
    return {
      type: 'tx_signatures',
      channelId,
      txid,
      witnesses,
      tlvs: decodeTlvStream(TX_SIGNATURES_TLVS, r),
    };
  },
);

/** BOLT 2 `tx_init_rbf_tlvs` / `tx_ack_rbf_tlvs`. */
export const RBF_TLVS = {
  /** type 0 `funding_output_contribution`: `s64` satoshis. */
  fundingOutputContribution: tlvField<bigint>(
    0n,
    (r) => r.s64('satoshis'),
    (w, v) => w.s64(v, 'satoshis'),
  ),
  /** type 2 `require_confirmed_inputs`. */
  requireConfirmedInputs: flagTlv(2n),
};

/** BOLT 2 `tx_init_rbf` (type 72). */
export interface TxInitRbfMessage {
  type: 'tx_init_rbf';
  channelId: Uint8Array;
  locktime: number;
  feerate: number;
  tlvs: TlvStream<typeof RBF_TLVS>;
}

/** BOLT 2 `tx_init_rbf` (type 72). */
export const txInitRbfCodec = messageCodec<TxInitRbfMessage>(
  72,
  'tx_init_rbf',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').u32(m.locktime, 'locktime').u32(m.feerate, 'feerate');
    encodeTlvStream(RBF_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'tx_init_rbf',
    channelId: r.bytes32('channel_id'),
    locktime: r.u32('locktime'),
    feerate: r.u32('feerate'),
    tlvs: decodeTlvStream(RBF_TLVS, r),
  }),
);

/** BOLT 2 `tx_ack_rbf` (type 73). */
export interface TxAckRbfMessage {
  type: 'tx_ack_rbf';
  channelId: Uint8Array;
  tlvs: TlvStream<typeof RBF_TLVS>;
}

/** BOLT 2 `tx_ack_rbf` (type 73). */
export const txAckRbfCodec = messageCodec<TxAckRbfMessage>(
  73,
  'tx_ack_rbf',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id');
    encodeTlvStream(RBF_TLVS, w, m.tlvs);
  },
  (r) => ({ type: 'tx_ack_rbf', channelId: r.bytes32('channel_id'), tlvs: decodeTlvStream(RBF_TLVS, r) }),
);

/** BOLT 2 `tx_abort` (type 74). */
export interface TxAbortMessage {
  type: 'tx_abort';
  channelId: Uint8Array;
  data: Uint8Array;
  tlvs: Extension;
}

/** BOLT 2 `tx_abort` (type 74). */
export const txAbortCodec = messageCodec<TxAbortMessage>(
  74,
  'tx_abort',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').varBytes(m.data, 'data');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'tx_abort',
    channelId: r.bytes32('channel_id'),
    data: r.varBytes('data'),
    tlvs: readExtension(r),
  }),
);
