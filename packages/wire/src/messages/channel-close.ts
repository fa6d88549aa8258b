import type { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';
import { decodeTlvStream, type Extension, encodeTlvStream, type TlvStream, tlvField } from '../tlv.js';
import { messageCodec, readExtension, writeExtension } from './codec.js';

/** BOLT 2 `shutdown` (type 38). */
export interface ShutdownMessage {
  type: 'shutdown';
  channelId: Uint8Array;
  scriptpubkey: Uint8Array;
  tlvs: Extension;
}

/** BOLT 2 `shutdown` (type 38). */
export const shutdownCodec = messageCodec<ShutdownMessage>(
  38,
  'shutdown',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').varBytes(m.scriptpubkey, 'scriptpubkey');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'shutdown',
    channelId: r.bytes32('channel_id'),
    scriptpubkey: r.varBytes('scriptpubkey'),
    tlvs: readExtension(r),
  }),
);

/** BOLT 2 `fee_range` of `closing_signed`. */
export interface FeeRange {
  minFeeSatoshis: bigint;
  maxFeeSatoshis: bigint;
}

/** BOLT 2 `closing_signed_tlvs`. */
export const CLOSING_SIGNED_TLVS = {
  /** type 1 `fee_range`. */
  feeRange: tlvField<FeeRange>(
    1n,
    (r) => ({ minFeeSatoshis: r.u64('min_fee_satoshis'), maxFeeSatoshis: r.u64('max_fee_satoshis') }),
    (w, v) => w.u64(v.minFeeSatoshis, 'min_fee_satoshis').u64(v.maxFeeSatoshis, 'max_fee_satoshis'),
  ),
};

/** BOLT 2 `closing_signed` (type 39), legacy closing negotiation. */
export interface ClosingSignedMessage {
  type: 'closing_signed';
  channelId: Uint8Array;
  feeSatoshis: bigint;
  signature: Uint8Array;
  tlvs: TlvStream<typeof CLOSING_SIGNED_TLVS>;
}

/** BOLT 2 `closing_signed` (type 39). */
export const closingSignedCodec = messageCodec<ClosingSignedMessage>(
  39,
  'closing_signed',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id').u64(m.feeSatoshis, 'fee_satoshis').signature(m.signature);
    encodeTlvStream(CLOSING_SIGNED_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'closing_signed',
    channelId: r.bytes32('channel_id'),
    feeSatoshis: r.u64('fee_satoshis'),
    signature: r.signature(),
    tlvs: decodeTlvStream(CLOSING_SIGNED_TLVS, r),
  }),
);

const sigTlv = (type: bigint) =>
  tlvField<Uint8Array>(
    type,
    (r) => r.signature('sig'),
    (w, v) => w.signature(v, 'sig'),
  );

/** BOLT 2 `closing_tlvs` of `closing_complete` / `closing_sig`: one signature per closing-tx variant. */
export const CLOSING_TLVS = {
  /** type 1 `closer_output_only`. */
  closerOutputOnly: sigTlv(1n),
  /** type 2 `closee_output_only`. */
  closeeOutputOnly: sigTlv(2n),
  /** type 3 `closer_and_closee_outputs`. */
  closerAndCloseeOutputs: sigTlv(3n),
};

/** Fields shared by `closing_complete` and `closing_sig`. */
interface SimpleClose {
  channelId: Uint8Array;
  closerScriptpubkey: Uint8Array;
  closeeScriptpubkey: Uint8Array;
  feeSatoshis: bigint;
  locktime: number;
  tlvs: TlvStream<typeof CLOSING_TLVS>;
}

/** BOLT 2 `closing_complete` (type 40), option_simple_close. */
export interface ClosingCompleteMessage extends SimpleClose {
  type: 'closing_complete';
}

/** BOLT 2 `closing_sig` (type 41), option_simple_close. */
export interface ClosingSigMessage extends SimpleClose {
  type: 'closing_sig';
}

function writeSimpleClose(w: Writer, m: SimpleClose): void {
  w.bytes32(m.channelId, 'channel_id')
    .varBytes(m.closerScriptpubkey, 'closer_scriptpubkey')
    .varBytes(m.closeeScriptpubkey, 'closee_scriptpubkey')
    .u64(m.feeSatoshis, 'fee_satoshis')
    .u32(m.locktime, 'locktime');
  encodeTlvStream(CLOSING_TLVS, w, m.tlvs);
}

function readSimpleClose<T extends 'closing_complete' | 'closing_sig'>(type: T, r: Reader) {
  return {
    type,
    channelId: r.bytes32('channel_id'),
    closerScriptpubkey: r.varBytes('closer_scriptpubkey'),
    closeeScriptpubkey: r.varBytes('closee_scriptpubkey'),
    feeSatoshis: r.u64('fee_satoshis'),
    locktime: r.u32('locktime'),
    tlvs: decodeTlvStream(CLOSING_TLVS, r),
  };
}

/** BOLT 2 `closing_complete` (type 40). */
export const closingCompleteCodec = messageCodec<ClosingCompleteMessage>(
  40,
  'closing_complete',
  writeSimpleClose,
  (r) => readSimpleClose('closing_complete', r),
);

/** BOLT 2 `closing_sig` (type 41). */
export const closingSigCodec = messageCodec<ClosingSigMessage>(41, 'closing_sig', writeSimpleClose, (r) =>
  readSimpleClose('closing_sig', r),
);
