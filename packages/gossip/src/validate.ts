import type { Secp256k1 } from '@shoal/crypto';
import { CHANNEL_FLAG_DIRECTION, CHANNEL_FLAG_DISABLE, MESSAGE_FLAG_DONT_FORWARD } from './constants.js';
import { fundingScriptPubKey } from './funding.js';
import type { RoutingGraph } from './graph.js';
import {
  checkChannelAnnouncementSignatures,
  checkChannelUpdateSignature,
  checkNodeAnnouncementSignature,
  type Gossip,
} from './precheck.js';
import type { FundingOutputLookup } from './types.js';
import { bytesEqual } from './util.js';
import { OK, reject, type Verdict } from './verdict.js';

/** What the full validation reads. */
export interface ValidationContext {
  graph: RoutingGraph;
  chainHash: Uint8Array;
  ec: Secp256k1;
  /** Current time, seconds since the epoch. */
  nowSeconds: number;
  /** Timestamps further ahead than this are `future_timestamp`. */
  maxFutureSeconds: number;
  /** True when a frontend already verified the signatures of this message. */
  signaturesChecked: boolean;
  /**
   * For a `channel_update`: the node id the frontend checked its signature against. When given,
   * the check counts only if the held channel has that node id for the update's direction.
   */
  checkedSigner?: Uint8Array;
}

type Of<K extends Gossip['kind']> = Extract<Gossip, { kind: K }>;

/** Offset of the bytes after `timestamp` in a whole `channel_update` message. */
const UPDATE_AFTER_TIMESTAMP = 2 + 64 + 32 + 8 + 4;

/**
 * BOLT 7 `channel_announcement` receiver requirements: chain hash known, `node_id_1` <
 * `node_id_2`, the four signatures, and the output at `short_channel_id` is the unspent P2WSH of
 * the 2-of-2 of `bitcoin_key_1`/`bitcoin_key_2` (BOLT 3 "Funding Transaction Output"), whose value
 * is the capacity. `allowKnown` skips the duplicate check (to judge a conflicting announcement).
 */
export async function validateChannelAnnouncement(
  g: Of<'channel_announcement'>,
  ctx: ValidationContext,
  funding: FundingOutputLookup,
  allowKnown = false,
): Promise<{ ok: true; capacitySat: bigint } | Exclude<Verdict, { ok: true }>> {
  const m = g.message;
  if (!bytesEqual(m.chainHash, ctx.chainHash))
    return notOk(reject('unknown_chain', 'chain_hash is not ours'));
  if (!allowKnown && ctx.graph.channel(m.shortChannelId)) {
    return notOk(reject('duplicate', 'channel already announced'));
  }
  const sig = ctx.signaturesChecked ? checkNodeOrderOnly(g) : checkChannelAnnouncementSignatures(g, ctx.ec);
  if (!sig.ok) return sig;
  const out = await funding.lookup(m.shortChannelId);
  if (!out) return notOk(reject('funding_missing', 'no output at short_channel_id'));
  if (!bytesEqual(out.script, fundingScriptPubKey(m.bitcoinKey1, m.bitcoinKey2))) {
    return notOk(reject('funding_script_mismatch', 'output is not the P2WSH 2-of-2 of the bitcoin keys'));
  }
  if (out.spent) return notOk(reject('funding_spent', 'funding output is spent'));
  return { ok: true, capacitySat: out.amountSat };
}

function checkNodeOrderOnly(g: Of<'channel_announcement'>): Verdict {
  return Buffer.compare(g.message.nodeId1, g.message.nodeId2) < 0
    ? OK
    : reject('bad_node_order', 'node_id_1 is not less than node_id_2');
}

function notOk(v: Verdict): Exclude<Verdict, { ok: true }> {
  if (v.ok) throw new TypeError('expected a rejection');
  return v;
}

/**
 * BOLT 7 `channel_update` receiver requirements: chain hash, channel known, not `dont_forward`,
 * timestamp newer than the held one (equal: duplicate when the fields match, a conflict
 * otherwise), not unreasonably far in the future, only `disable` updates once the funding output
 * is spent, `htlc_minimum_msat` <= `htlc_maximum_msat` <= capacity, and the signature of the
 * node of `direction`.
 */
export function validateChannelUpdate(g: Of<'channel_update'>, ctx: ValidationContext): Verdict {
  const m = g.message;
  if (!bytesEqual(m.chainHash, ctx.chainHash)) return reject('unknown_chain', 'chain_hash is not ours');
  const c = ctx.graph.channel(m.shortChannelId);
  if (!c) return reject('unknown_channel', 'no channel_announcement for short_channel_id');
  if (m.messageFlags & MESSAGE_FLAG_DONT_FORWARD) return reject('dont_forward', 'dont_forward is set');
  const held = c.updates[m.channelFlags & CHANNEL_FLAG_DIRECTION];
  if (held) {
    if (m.timestamp < held.timestamp) return reject('stale', 'timestamp older than the held update');
    if (m.timestamp === held.timestamp) {
      return bytesEqual(g.raw.subarray(UPDATE_AFTER_TIMESTAMP), held.raw.subarray(UPDATE_AFTER_TIMESTAMP))
        ? reject('duplicate', 'same timestamp and fields as the held update')
        : reject('same_timestamp_conflict', 'same timestamp as the held update, different fields');
    }
  }
  if (m.timestamp > ctx.nowSeconds + ctx.maxFutureSeconds) {
    return reject('future_timestamp', 'timestamp unreasonably far in the future');
  }
  if (c.spentAtHeight !== undefined && !(m.channelFlags & CHANNEL_FLAG_DISABLE)) {
    return reject('channel_spent', 'funding output spent and update does not disable');
  }
  if (m.htlcMaximumMsat < m.htlcMinimumMsat) {
    return reject('bad_htlc_limits', 'htlc_maximum_msat below htlc_minimum_msat');
  }
  if (m.htlcMaximumMsat > c.capacitySat * 1000n) {
    return reject('bad_htlc_limits', 'htlc_maximum_msat above channel capacity');
  }
  return updateCheckedFor(ctx, c, m.channelFlags) ? OK : checkChannelUpdateSignature(g, c, ctx.ec);
}

/**
 * Whether a frontend's signature check of a `channel_update` holds for the channel `c` we have:
 * a frontend may have checked it against an announcement still in flight, which could lose to a
 * conflicting one, so a named signer must be the node of the update's direction.
 */
function updateCheckedFor(
  ctx: ValidationContext,
  c: { nodeId1: Uint8Array; nodeId2: Uint8Array },
  channelFlags: number,
): boolean {
  if (!ctx.signaturesChecked) return false;
  if (ctx.checkedSigner === undefined) return true;
  return bytesEqual(ctx.checkedSigner, channelFlags & CHANNEL_FLAG_DIRECTION ? c.nodeId2 : c.nodeId1);
}

/**
 * BOLT 7 `node_announcement` receiver requirements: the node is known from a channel, the
 * timestamp is newer than the last one, not far in the future, at most one DNS hostname ("MUST
 * not forward" otherwise), and the signature. Unknown address types are kept as decoded.
 */
export function validateNodeAnnouncement(g: Of<'node_announcement'>, ctx: ValidationContext): Verdict {
  const m = g.message;
  const n = ctx.graph.node(m.nodeId);
  if (!n || n.channels.size === 0) return reject('unknown_node', 'node has no known channel');
  const held = n.announcement;
  if (held && m.timestamp <= held.timestamp) {
    return bytesEqual(held.raw, g.raw)
      ? reject('duplicate', 'same node_announcement already held')
      : reject('stale', 'timestamp not newer than the held node_announcement');
  }
  if (m.timestamp > ctx.nowSeconds + ctx.maxFutureSeconds) {
    return reject('future_timestamp', 'timestamp unreasonably far in the future');
  }
  if (m.addresses.filter((a) => a.type === 'dns').length > 1) {
    return reject('bad_addresses', 'more than one DNS hostname');
  }
  return ctx.signaturesChecked ? OK : checkNodeAnnouncementSignature(g, ctx.ec);
}
