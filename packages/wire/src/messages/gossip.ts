import { type Address, decodeAddresses, encodeAddresses } from '../address.js';
import { WireError } from '../errors.js';
import type { Extension } from '../tlv.js';
import { messageCodec, readExtension, writeExtension } from './codec.js';

/** BOLT 7 `announcement_signatures` (type 259). */
export interface AnnouncementSignaturesMessage {
  type: 'announcement_signatures';
  channelId: Uint8Array;
  shortChannelId: bigint;
  nodeSignature: Uint8Array;
  bitcoinSignature: Uint8Array;
  tlvs: Extension;
}

/** BOLT 7 `announcement_signatures` (type 259). */
export const announcementSignaturesCodec = messageCodec<AnnouncementSignaturesMessage>(
  259,
  'announcement_signatures',
  (w, m) => {
    w.bytes32(m.channelId, 'channel_id')
      .shortChannelId(m.shortChannelId)
      .signature(m.nodeSignature, 'node_signature')
      .signature(m.bitcoinSignature, 'bitcoin_signature');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'announcement_signatures',
    channelId: r.bytes32('channel_id'),
    shortChannelId: r.shortChannelId(),
    nodeSignature: r.signature('node_signature'),
    bitcoinSignature: r.signature('bitcoin_signature'),
    tlvs: readExtension(r),
  }),
);

/** BOLT 7 `channel_announcement` (type 256). */
export interface ChannelAnnouncementMessage {
  type: 'channel_announcement';
  nodeSignature1: Uint8Array;
  nodeSignature2: Uint8Array;
  bitcoinSignature1: Uint8Array;
  bitcoinSignature2: Uint8Array;
  features: Uint8Array;
  chainHash: Uint8Array;
  shortChannelId: bigint;
  nodeId1: Uint8Array;
  nodeId2: Uint8Array;
  bitcoinKey1: Uint8Array;
  bitcoinKey2: Uint8Array;
  tlvs: Extension;
}

/** BOLT 7 `channel_announcement` (type 256). */
export const channelAnnouncementCodec = messageCodec<ChannelAnnouncementMessage>(
  256,
  'channel_announcement',
  (w, m) => {
    w.signature(m.nodeSignature1, 'node_signature_1')
      .signature(m.nodeSignature2, 'node_signature_2')
      .signature(m.bitcoinSignature1, 'bitcoin_signature_1')
      .signature(m.bitcoinSignature2, 'bitcoin_signature_2')
      .varBytes(m.features, 'features')
      .bytes32(m.chainHash, 'chain_hash')
      .shortChannelId(m.shortChannelId)
      .point(m.nodeId1, 'node_id_1')
      .point(m.nodeId2, 'node_id_2')
      .point(m.bitcoinKey1, 'bitcoin_key_1')
      .point(m.bitcoinKey2, 'bitcoin_key_2');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'channel_announcement',
    nodeSignature1: r.signature('node_signature_1'),
    nodeSignature2: r.signature('node_signature_2'),
    bitcoinSignature1: r.signature('bitcoin_signature_1'),
    bitcoinSignature2: r.signature('bitcoin_signature_2'),
    features: r.varBytes('features'),
    chainHash: r.bytes32('chain_hash'),
    shortChannelId: r.shortChannelId(),
    nodeId1: r.point('node_id_1'),
    nodeId2: r.point('node_id_2'),
    bitcoinKey1: r.point('bitcoin_key_1'),
    bitcoinKey2: r.point('bitcoin_key_2'),
    tlvs: readExtension(r),
  }),
);

/** BOLT 7 `node_announcement` (type 257). */
export interface NodeAnnouncementMessage {
  type: 'node_announcement';
  signature: Uint8Array;
  features: Uint8Array;
  timestamp: number;
  nodeId: Uint8Array;
  /** 3 bytes: red, green, blue. */
  rgbColor: Uint8Array;
  /** 32 bytes, UTF-8 padded with zeros; kept raw (decode it at the edge, and sanitise it). */
  alias: Uint8Array;
  addresses: Address[];
  tlvs: Extension;
}

/** BOLT 7 `node_announcement` (type 257). */
export const nodeAnnouncementCodec = messageCodec<NodeAnnouncementMessage>(
  257,
  'node_announcement',
  (w, m) => {
    w.signature(m.signature)
      .varBytes(m.features, 'features')
      .u32(m.timestamp, 'timestamp')
      .point(m.nodeId, 'node_id')
      .fixed(m.rgbColor, 3, 'rgb_color')
      .fixed(m.alias, 32, 'alias')
      .varBytes(encodeAddresses(m.addresses), 'addresses');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'node_announcement',
    signature: r.signature(),
    features: r.varBytes('features'),
    timestamp: r.u32('timestamp'),
    nodeId: r.point('node_id'),
    rgbColor: r.bytes(3, 'rgb_color'),
    alias: r.bytes(32, 'alias'),
    addresses: decodeAddresses(r.varBytes('addresses')),
    tlvs: readExtension(r),
  }),
);

/** BOLT 7 `channel_update` (type 258). */
export interface ChannelUpdateMessage {
  type: 'channel_update';
  signature: Uint8Array;
  chainHash: Uint8Array;
  shortChannelId: bigint;
  timestamp: number;
  /** Bit 0 `must_be_one`, bit 1 `dont_forward`. */
  messageFlags: number;
  /** Bit 0 `direction`, bit 1 `disable`. */
  channelFlags: number;
  cltvExpiryDelta: number;
  htlcMinimumMsat: bigint;
  feeBaseMsat: number;
  feeProportionalMillionths: number;
  htlcMaximumMsat: bigint;
  tlvs: Extension;
}

/** BOLT 7 `channel_update` (type 258). */
export const channelUpdateCodec = messageCodec<ChannelUpdateMessage>(
  258,
  'channel_update',
  (w, m) => {
    w.signature(m.signature)
      .bytes32(m.chainHash, 'chain_hash')
      .shortChannelId(m.shortChannelId)
      .u32(m.timestamp, 'timestamp')
      .u8(m.messageFlags, 'message_flags')
      .u8(m.channelFlags, 'channel_flags')
      .u16(m.cltvExpiryDelta, 'cltv_expiry_delta')
      .u64(m.htlcMinimumMsat, 'htlc_minimum_msat')
      .u32(m.feeBaseMsat, 'fee_base_msat')
      .u32(m.feeProportionalMillionths, 'fee_proportional_millionths')
      .u64(m.htlcMaximumMsat, 'htlc_maximum_msat');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'channel_update',
    signature: r.signature(),
    chainHash: r.bytes32('chain_hash'),
    shortChannelId: r.shortChannelId(),
    timestamp: r.u32('timestamp'),
    messageFlags: r.u8('message_flags'),
    channelFlags: r.u8('channel_flags'),
    cltvExpiryDelta: r.u16('cltv_expiry_delta'),
    htlcMinimumMsat: r.u64('htlc_minimum_msat'),
    feeBaseMsat: r.u32('fee_base_msat'),
    feeProportionalMillionths: r.u32('fee_proportional_millionths'),
    htlcMaximumMsat: r.u64('htlc_maximum_msat'),
    tlvs: readExtension(r),
  }),
);

function signedFrom(
  message: Uint8Array,
  typeId: number,
  name: string,
  skip: number,
  minPayload: number,
): Uint8Array {
  const type = message.length >= 2 ? (message[0]! << 8) | message[1]! : -1;
  if (type !== typeId) {
    throw new WireError('WIRE_WRONG_TYPE', `expected a ${name} message (type ${typeId}), got ${type}`, {
      expected: typeId,
      actual: type,
    });
  }
  if (message.length < 2 + minPayload) {
    throw new WireError('WIRE_TRUNCATED', `${name} of ${message.length} bytes is too short`, {
      field: name,
      length: message.length,
    });
  }
  return message.subarray(2 + skip);
}

/**
 * BOLT 7 `channel_announcement`: the bytes whose double-SHA256 all four signatures cover
 * ("beginning at offset 256" of the payload: everything after the four signatures, extension
 * included). `message` is the whole message as received, 2-byte type first; the result is a view.
 */
export function channelAnnouncementSignedPortion(message: Uint8Array): Uint8Array {
  return signedFrom(message, 256, 'channel_announcement', 256, 256 + 2 + 32 + 8 + 4 * 33);
}

/** BOLT 7 `node_announcement`: the bytes after `signature` (what `signature` covers), as a view. */
export function nodeAnnouncementSignedPortion(message: Uint8Array): Uint8Array {
  return signedFrom(message, 257, 'node_announcement', 64, 64 + 2 + 4 + 33 + 3 + 32 + 2);
}

/** BOLT 7 `channel_update`: the bytes after `signature` (what `signature` covers), as a view. */
export function channelUpdateSignedPortion(message: Uint8Array): Uint8Array {
  return signedFrom(message, 258, 'channel_update', 64, 64 + 32 + 8 + 4 + 1 + 1 + 2 + 8 + 4 + 4 + 8);
}
