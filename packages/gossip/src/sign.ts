import { hash256, type Secp256k1, secp256k1 } from '@shoal/crypto';
import {
  type ChannelAnnouncementMessage,
  type ChannelUpdateMessage,
  channelAnnouncementSignedPortion,
  channelUpdateSignedPortion,
  encodeMessage,
  type NodeAnnouncementMessage,
  nodeAnnouncementSignedPortion,
} from '@shoal/wire';
import { GossipError } from './errors.js';
import { checkSignature } from './precheck.js';

const ZERO_SIG = new Uint8Array(64);

/** A gossip message with its wire bytes (type included). */
export interface Signed<M> {
  message: M;
  raw: Uint8Array;
}

/** BOLT 7 `channel_announcement`: `h`, the double-SHA256 from offset 256 to the end. */
export function channelAnnouncementDigest(m: ChannelAnnouncementMessage): Buffer {
  const raw = encodeMessage({
    ...m,
    nodeSignature1: ZERO_SIG,
    nodeSignature2: ZERO_SIG,
    bitcoinSignature1: ZERO_SIG,
    bitcoinSignature2: ZERO_SIG,
  });
  return hash256(channelAnnouncementSignedPortion(raw));
}

/** BOLT 7 `node_announcement`: double-SHA256 of everything after `signature`. */
export function nodeAnnouncementDigest(m: NodeAnnouncementMessage): Buffer {
  return hash256(nodeAnnouncementSignedPortion(encodeMessage({ ...m, signature: ZERO_SIG })));
}

/** BOLT 7 `channel_update`: double-SHA256 of everything after `signature`. */
export function channelUpdateDigest(m: ChannelUpdateMessage): Buffer {
  return hash256(channelUpdateSignedPortion(encodeMessage({ ...m, signature: ZERO_SIG })));
}

/** Private keys for the four `channel_announcement` signatures (BOLT 7 origin node requirements). */
export interface ChannelAnnouncementKeys {
  node1: Uint8Array;
  node2: Uint8Array;
  bitcoin1: Uint8Array;
  bitcoin2: Uint8Array;
}

/**
 * Signs a `channel_announcement` with all four keys (tests, and a node holding both sides).
 * For our own channels the remote pair comes from `announcement_signatures`: sign
 * {@link channelAnnouncementDigest} with our keys and fill the fields directly.
 */
export function signChannelAnnouncement(
  m: ChannelAnnouncementMessage,
  keys: ChannelAnnouncementKeys,
  ec: Secp256k1 = secp256k1,
): Signed<ChannelAnnouncementMessage> {
  const h = channelAnnouncementDigest(m);
  const message: ChannelAnnouncementMessage = {
    ...m,
    nodeSignature1: ec.sign(h, keys.node1),
    nodeSignature2: ec.sign(h, keys.node2),
    bitcoinSignature1: ec.sign(h, keys.bitcoin1),
    bitcoinSignature2: ec.sign(h, keys.bitcoin2),
  };
  return { message, raw: encodeMessage(message) };
}

/** Signs a `node_announcement` with the node key (BOLT 7 origin node requirements). */
export function signNodeAnnouncement(
  m: NodeAnnouncementMessage,
  nodeKey: Uint8Array,
  ec: Secp256k1 = secp256k1,
): Signed<NodeAnnouncementMessage> {
  const message = { ...m, signature: ec.sign(nodeAnnouncementDigest(m), nodeKey) };
  return { message, raw: encodeMessage(message) };
}

/** Signs a `channel_update` with the node key of its `direction` (BOLT 7 origin node requirements). */
export function signChannelUpdate(
  m: ChannelUpdateMessage,
  nodeKey: Uint8Array,
  ec: Secp256k1 = secp256k1,
): Signed<ChannelUpdateMessage> {
  const message = { ...m, signature: ec.sign(channelUpdateDigest(m), nodeKey) };
  return { message, raw: encodeMessage(message) };
}

/** Our keys for a channel, and the peer's `announcement_signatures`. */
export interface AnnouncementParts {
  nodeKey: Uint8Array;
  bitcoinKey: Uint8Array;
  remoteNodeSignature: Uint8Array;
  remoteBitcoinSignature: Uint8Array;
}

/**
 * Our channel's `channel_announcement` from the unsigned fields, our keys and the peer's
 * `announcement_signatures` (BOLT 7 "The `announcement_signatures` Message": the announcement is
 * built and each side signs `h` with its node and bitcoin keys). Our side is found by node id.
 * Returns undefined when the peer's signatures do not verify ("MAY send a warning").
 * Throws `GOSSIP_BAD_OPTION` when our node key is neither `node_id_1` nor `node_id_2`.
 */
export function completeChannelAnnouncement(
  m: ChannelAnnouncementMessage,
  parts: AnnouncementParts,
  ec: Secp256k1 = secp256k1,
): Signed<ChannelAnnouncementMessage> | undefined {
  const ourId = ec.publicKeyCreate(parts.nodeKey);
  const weAre1 = Buffer.compare(ourId, m.nodeId1) === 0;
  if (!weAre1 && Buffer.compare(ourId, m.nodeId2) !== 0) {
    throw new GossipError('GOSSIP_BAD_OPTION', 'our node key is not an endpoint of this channel');
  }
  const h = channelAnnouncementDigest(m);
  const theirNode = weAre1 ? m.nodeId2 : m.nodeId1;
  const theirBitcoin = weAre1 ? m.bitcoinKey2 : m.bitcoinKey1;
  if (
    !checkSignature(ec, parts.remoteNodeSignature, h, theirNode, 'node_signature').ok ||
    !checkSignature(ec, parts.remoteBitcoinSignature, h, theirBitcoin, 'bitcoin_signature').ok
  ) {
    return undefined;
  }
  const ourNodeSig = ec.sign(h, parts.nodeKey);
  const ourBitcoinSig = ec.sign(h, parts.bitcoinKey);
  const message: ChannelAnnouncementMessage = {
    ...m,
    nodeSignature1: weAre1 ? ourNodeSig : parts.remoteNodeSignature,
    nodeSignature2: weAre1 ? parts.remoteNodeSignature : ourNodeSig,
    bitcoinSignature1: weAre1 ? ourBitcoinSig : parts.remoteBitcoinSignature,
    bitcoinSignature2: weAre1 ? parts.remoteBitcoinSignature : ourBitcoinSig,
  };
  return { message, raw: encodeMessage(message) };
}

/** BOLT 7 origin node: a `node_announcement` timestamp greater than the previous one, UNIX-based. */
export function nextAnnouncementTimestamp(previous: number | undefined, nowSeconds: number): number {
  return Math.max(Math.floor(nowSeconds), (previous ?? 0) + 1);
}
