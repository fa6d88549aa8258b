import { WireError } from '../errors.js';
import { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';
import { decodeTlvStream, type Extension, encodeTlvStream, type TlvStream, tlvField } from '../tlv.js';
import { messageCodec, readExtension, writeExtension } from './codec.js';

/** BOLT 7 "Query Messages" encoding types: 0 uncompressed; 1 (zlib) MUST NOT be used. */
export const ENCODING_UNCOMPRESSED = 0;
const ENCODING_ZLIB = 1;

/** Reads the encoding byte of an `encoded_*` array: only 0 is accepted. */
function readEncoding(r: Reader, what: string): void {
  const encoding = r.u8(`${what}.encoding`);
  if (encoding === ENCODING_ZLIB) {
    throw new WireError('WIRE_ZLIB_UNSUPPORTED', `${what} uses zlib encoding, which BOLT 7 forbids`, {
      field: what,
    });
  }
  if (encoding !== ENCODING_UNCOMPRESSED) {
    throw new WireError('WIRE_UNKNOWN_ENCODING', `${what} uses unknown encoding ${encoding}`, {
      field: what,
      encoding,
    });
  }
}

function readArray<T>(r: Reader, size: number, what: string, read: (r: Reader) => T): T[] {
  if (r.remaining % size !== 0) {
    throw new WireError(
      'WIRE_BAD_ARRAY',
      `${what}: ${r.remaining} bytes is not a whole number of ${size}-byte items`,
      {
        field: what,
        length: r.remaining,
      },
    );
  }
  const out: T[] = [];
  while (r.remaining > 0) out.push(read(r));
  return out;
}

/**
 * BOLT 7 `encoded_short_ids`: encoding byte 0 then 8-byte ids. The encoding byte is mandatory
 * ("MUST set the first byte ... to the encoding type"), so an empty field is `WIRE_TRUNCATED`.
 * Order is not checked here (the gossip layer judges it).
 */
export function decodeEncodedShortIds(bytes: Uint8Array): bigint[] {
  const r = new Reader(bytes);
  readEncoding(r, 'encoded_short_ids');
  return readArray(r, 8, 'encoded_short_ids', (x) => x.shortChannelId());
}

function writeEncodedShortIds(w: Writer, ids: readonly bigint[]): void {
  w.u16(1 + ids.length * 8, 'encoded_short_ids.len').u8(ENCODING_UNCOMPRESSED);
  for (const id of ids) w.shortChannelId(id);
}

/** `channel_update_timestamps` / `channel_update_checksums`: one pair per short channel id. */
export interface NodePair {
  nodeId1: number;
  nodeId2: number;
}

const readPair = (r: Reader): NodePair => ({ nodeId1: r.u32(), nodeId2: r.u32() });
const writePairs = (w: Writer, pairs: readonly NodePair[]): void => {
  for (const p of pairs) w.u32(p.nodeId1).u32(p.nodeId2);
};

/** BOLT 7 `query_short_channel_ids_tlvs`. */
export const QUERY_SHORT_CHANNEL_IDS_TLVS = {
  /** type 1 `query_flags`: encoding byte, then one minimal bigsize per short channel id. */
  queryFlags: tlvField<bigint[]>(
    1n,
    (r) => {
      readEncoding(r, 'encoded_query_flags');
      const flags: bigint[] = [];
      while (r.remaining > 0) flags.push(r.bigsize('query_flag'));
      return flags;
    },
    (w, flags) => {
      w.u8(ENCODING_UNCOMPRESSED);
      for (const f of flags) w.bigsize(f, 'query_flag');
    },
  ),
};

/** BOLT 7 `query_short_channel_ids` (type 261). */
export interface QueryShortChannelIdsMessage {
  type: 'query_short_channel_ids';
  chainHash: Uint8Array;
  shortChannelIds: bigint[];
  tlvs: TlvStream<typeof QUERY_SHORT_CHANNEL_IDS_TLVS>;
}

/** BOLT 7 `query_short_channel_ids` (type 261). */
export const queryShortChannelIdsCodec = messageCodec<QueryShortChannelIdsMessage>(
  261,
  'query_short_channel_ids',
  (w, m) => {
    w.bytes32(m.chainHash, 'chain_hash');
    writeEncodedShortIds(w, m.shortChannelIds);
    encodeTlvStream(QUERY_SHORT_CHANNEL_IDS_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'query_short_channel_ids',
    chainHash: r.bytes32('chain_hash'),
    shortChannelIds: decodeEncodedShortIds(r.varBytes('encoded_short_ids')),
    tlvs: decodeTlvStream(QUERY_SHORT_CHANNEL_IDS_TLVS, r),
  }),
);

/** BOLT 7 `reply_short_channel_ids_end` (type 262). */
export interface ReplyShortChannelIdsEndMessage {
  type: 'reply_short_channel_ids_end';
  chainHash: Uint8Array;
  fullInformation: number;
  tlvs: Extension;
}

/** BOLT 7 `reply_short_channel_ids_end` (type 262). */
export const replyShortChannelIdsEndCodec = messageCodec<ReplyShortChannelIdsEndMessage>(
  262,
  'reply_short_channel_ids_end',
  (w, m) => {
    w.bytes32(m.chainHash, 'chain_hash').u8(m.fullInformation, 'full_information');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'reply_short_channel_ids_end',
    chainHash: r.bytes32('chain_hash'),
    fullInformation: r.u8('full_information'),
    tlvs: readExtension(r),
  }),
);

/** BOLT 7 `query_channel_range_tlvs`. */
export const QUERY_CHANNEL_RANGE_TLVS = {
  /** type 1 `query_option`: bigsize bitfield (bit 0 timestamps, bit 1 checksums). */
  queryOption: tlvField<bigint>(
    1n,
    (r) => r.bigsize('query_option_flags'),
    (w, v) => w.bigsize(v, 'query_option_flags'),
  ),
};

/** `query_option_flags` bits (BOLT 7). */
export const QUERY_OPTION_WANT_TIMESTAMPS = 1n;
export const QUERY_OPTION_WANT_CHECKSUMS = 2n;

/** BOLT 7 `query_channel_range` (type 263). */
export interface QueryChannelRangeMessage {
  type: 'query_channel_range';
  chainHash: Uint8Array;
  firstBlocknum: number;
  numberOfBlocks: number;
  tlvs: TlvStream<typeof QUERY_CHANNEL_RANGE_TLVS>;
}

/** BOLT 7 `query_channel_range` (type 263). */
export const queryChannelRangeCodec = messageCodec<QueryChannelRangeMessage>(
  263,
  'query_channel_range',
  (w, m) => {
    w.bytes32(m.chainHash, 'chain_hash').u32(m.firstBlocknum, 'first_blocknum').u32(m.numberOfBlocks);
    encodeTlvStream(QUERY_CHANNEL_RANGE_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'query_channel_range',
    chainHash: r.bytes32('chain_hash'),
    firstBlocknum: r.u32('first_blocknum'),
    numberOfBlocks: r.u32('number_of_blocks'),
    tlvs: decodeTlvStream(QUERY_CHANNEL_RANGE_TLVS, r),
  }),
);

/** BOLT 7 `reply_channel_range_tlvs`. */
export const REPLY_CHANNEL_RANGE_TLVS = {
  /** type 1 `timestamps_tlv`: encoding byte, then `channel_update_timestamps` pairs. */
  timestamps: tlvField<NodePair[]>(
    1n,
    (r) => {
      readEncoding(r, 'encoded_timestamps');
      return readArray(r, 8, 'encoded_timestamps', readPair);
    },
    (w, pairs) => {
      w.u8(ENCODING_UNCOMPRESSED);
      writePairs(w, pairs);
    },
  ),
  /** type 3 `checksums_tlv`: `channel_update_checksums` pairs (no encoding byte). */
  checksums: tlvField<NodePair[]>(3n, (r) => readArray(r, 8, 'checksums', readPair), writePairs),
};

/** BOLT 7 `reply_channel_range` (type 264). */
export interface ReplyChannelRangeMessage {
  type: 'reply_channel_range';
  chainHash: Uint8Array;
  firstBlocknum: number;
  numberOfBlocks: number;
  syncComplete: number;
  shortChannelIds: bigint[];
  tlvs: TlvStream<typeof REPLY_CHANNEL_RANGE_TLVS>;
}

/** BOLT 7 `reply_channel_range` (type 264). */
export const replyChannelRangeCodec = messageCodec<ReplyChannelRangeMessage>(
  264,
  'reply_channel_range',
  (w, m) => {
    w.bytes32(m.chainHash, 'chain_hash')
      .u32(m.firstBlocknum, 'first_blocknum')
      .u32(m.numberOfBlocks, 'number_of_blocks')
      .u8(m.syncComplete, 'sync_complete');
    writeEncodedShortIds(w, m.shortChannelIds);
    encodeTlvStream(REPLY_CHANNEL_RANGE_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'reply_channel_range',
    chainHash: r.bytes32('chain_hash'),
    firstBlocknum: r.u32('first_blocknum'),
    numberOfBlocks: r.u32('number_of_blocks'),
    syncComplete: r.u8('sync_complete'),
    shortChannelIds: decodeEncodedShortIds(r.varBytes('encoded_short_ids')),
    tlvs: decodeTlvStream(REPLY_CHANNEL_RANGE_TLVS, r),
  }),
);

/** BOLT 7 `gossip_timestamp_filter` (type 265). */
export interface GossipTimestampFilterMessage {
  type: 'gossip_timestamp_filter';
  chainHash: Uint8Array;
  firstTimestamp: number;
  timestampRange: number;
  tlvs: Extension;
}

/** BOLT 7 `gossip_timestamp_filter` (type 265). */
export const gossipTimestampFilterCodec = messageCodec<GossipTimestampFilterMessage>(
  265,
  'gossip_timestamp_filter',
  (w, m) => {
    w.bytes32(m.chainHash, 'chain_hash').u32(m.firstTimestamp, 'first_timestamp').u32(m.timestampRange);
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'gossip_timestamp_filter',
    chainHash: r.bytes32('chain_hash'),
    firstTimestamp: r.u32('first_timestamp'),
    timestampRange: r.u32('timestamp_range'),
    tlvs: readExtension(r),
  }),
);
