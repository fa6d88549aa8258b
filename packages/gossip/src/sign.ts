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
