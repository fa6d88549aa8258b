import { CryptoError, hash256, type Secp256k1, secp256k1 } from '@shoal/crypto';
import {
  type ChannelAnnouncementMessage,
  type ChannelUpdateMessage,
  channelAnnouncementSignedPortion,
  channelUpdateSignedPortion,
  decodeMessage,
  type NodeAnnouncementMessage,
  nodeAnnouncementSignedPortion,
  WireError,
} from '@shoal/wire';
import { CHANNEL_FLAG_DIRECTION } from './constants.js';
import { keyLess } from './funding.js';
import { bytesEqual } from './util.js';
import { OK, reject, type Verdict } from './verdict.js';

/** A decoded gossip message with the exact bytes it came in (signatures cover those bytes). */
export type Gossip =
  | { kind: 'channel_announcement'; message: ChannelAnnouncementMessage; raw: Uint8Array }
  | { kind: 'node_announcement'; message: NodeAnnouncementMessage; raw: Uint8Array }
  | { kind: 'channel_update'; message: ChannelUpdateMessage; raw: Uint8Array };

/** Result of {@link decodeGossip}. */
export type DecodeResult =
  | { ok: true; gossip: Gossip }
  | { ok: false; reason: 'malformed' | 'not_gossip'; detail: string };

/** Decodes one of the three BOLT 7 gossip messages; other messages and bad bytes are verdicts. */
export function decodeGossip(raw: Uint8Array): DecodeResult {
  let m: ReturnType<typeof decodeMessage>;
  try {
    m = decodeMessage(raw);
  } catch (e) {
    if (e instanceof WireError) return { ok: false, reason: 'malformed', detail: `${e.code}: ${e.message}` };
    throw e;
  }
  switch (m.type) {
    case 'channel_announcement':
    case 'node_announcement':
    case 'channel_update':
      return { ok: true, gossip: { kind: m.type, message: m, raw } as Gossip };
    default:
      return { ok: false, reason: 'not_gossip', detail: `message type ${String(m.type)} is not gossip` };
  }
}

/** Verifies a compact signature; an invalid public key is a `bad_key` verdict, not an exception. */
export function checkSignature(
  ec: Secp256k1,
  sig: Uint8Array,
  digest: Uint8Array,
  pub: Uint8Array,
  what: string,
): Verdict {
  try {
    return ec.verify(sig, digest, pub) ? OK : reject('bad_signature', `${what} does not verify`);
  } catch (e) {
    if (e instanceof CryptoError) return reject('bad_key', `${what}: ${e.message}`);
    throw e;
  }
}

/** The two endpoints of a known channel, for checking `channel_update` signatures. */
export type ChannelNodesLookup = (scid: bigint) => { nodeId1: Uint8Array; nodeId2: Uint8Array } | undefined;

/**
 * BOLT 7 `channel_announcement` receiver: "MUST verify the integrity AND authenticity of the
 * message by verifying the signatures" (all four, over `h`), and `node_id_1` < `node_id_2`.
 */
export function checkChannelAnnouncementSignatures(
  g: Extract<Gossip, { kind: 'channel_announcement' }>,
  ec: Secp256k1 = secp256k1,
): Verdict {
  const m = g.message;
  if (!keyLess(m.nodeId1, m.nodeId2)) return reject('bad_node_order', 'node_id_1 is not less than node_id_2');
  const h = hash256(channelAnnouncementSignedPortion(g.raw));
  const checks: [Uint8Array, Uint8Array, string][] = [
    [m.nodeSignature1, m.nodeId1, 'node_signature_1'],
    [m.nodeSignature2, m.nodeId2, 'node_signature_2'],
    [m.bitcoinSignature1, m.bitcoinKey1, 'bitcoin_signature_1'],
    [m.bitcoinSignature2, m.bitcoinKey2, 'bitcoin_signature_2'],
  ];
  for (const [sig, pub, what] of checks) {
    const v = checkSignature(ec, sig, h, pub, what);
    if (!v.ok) return v;
  }
  return OK;
}

/** BOLT 7 `node_announcement` receiver: `signature` by `node_id` over everything after it. */
export function checkNodeAnnouncementSignature(
  g: Extract<Gossip, { kind: 'node_announcement' }>,
  ec: Secp256k1 = secp256k1,
): Verdict {
  const h = hash256(nodeAnnouncementSignedPortion(g.raw));
  return checkSignature(ec, g.message.signature, h, g.message.nodeId, 'signature');
}

/**
 * BOLT 7 `channel_update` receiver: `signature` by `node_id_1` when the `direction` bit is 0,
 * `node_id_2` otherwise, over everything after the signature.
 */
export function checkChannelUpdateSignature(
  g: Extract<Gossip, { kind: 'channel_update' }>,
  nodes: { nodeId1: Uint8Array; nodeId2: Uint8Array },
  ec: Secp256k1 = secp256k1,
): Verdict {
  const signer = g.message.channelFlags & CHANNEL_FLAG_DIRECTION ? nodes.nodeId2 : nodes.nodeId1;
  const h = hash256(channelUpdateSignedPortion(g.raw));
  return checkSignature(ec, g.message.signature, h, signer, 'signature');
}

/** Options of {@link precheckGossip}. */
export interface PrecheckOptions {
  /** Our chain; gossip for another chain is rejected before any signature work. */
  chainHash: Uint8Array;
  /** Endpoints of known channels (the frontend's graph copy); updates of unknown ones pass unchecked. */
  channelNodes?: ChannelNodesLookup;
  ec?: Secp256k1;
}

/**
 * Result of {@link precheckGossip}: `checked` is false when the signature could not be checked
 * here; `signer` is the node id a checked `channel_update` was verified against.
 */
export type PrecheckResult =
  | { ok: true; gossip: Gossip; checked: boolean; signer?: Uint8Array }
  | { ok: false; reason: Exclude<Verdict, { ok: true }>['reason']; detail: string; gossip?: Gossip };

/**
 * The frontend's pre-check: decoding, chain hash and signatures only, no chain lookups, so the
 * signature cost is spread over frontends. The backend still runs the full validation.
 */
export function precheckGossip(raw: Uint8Array, options: PrecheckOptions): PrecheckResult {
  const d = decodeGossip(raw);
  if (!d.ok) return d;
  const g = d.gossip;
  const ec = options.ec ?? secp256k1;
  let v: Verdict;
  let checked = true;
  let signer: Uint8Array | undefined;
  if (g.kind === 'channel_announcement') {
    v = chainOk(g.message.chainHash, options.chainHash) ?? checkChannelAnnouncementSignatures(g, ec);
  } else if (g.kind === 'node_announcement') {
    v = checkNodeAnnouncementSignature(g, ec);
  } else {
    const nodes = options.channelNodes?.(g.message.shortChannelId);
    const chain = chainOk(g.message.chainHash, options.chainHash);
    if (chain) v = chain;
    else if (nodes) {
      signer = g.message.channelFlags & CHANNEL_FLAG_DIRECTION ? nodes.nodeId2 : nodes.nodeId1;
      v = checkChannelUpdateSignature(g, nodes, ec);
    } else {
      v = OK;
      checked = false;
    }
  }
  if (!v.ok) return { ...v, gossip: g };
  return signer === undefined ? { ok: true, gossip: g, checked } : { ok: true, gossip: g, checked, signer };
}

function chainOk(got: Uint8Array, ours: Uint8Array): Verdict | undefined {
  return bytesEqual(got, ours) ? undefined : reject('unknown_chain', 'chain_hash is not ours');
}
