/** Why a gossip message was rejected (BOLT 7 receiver requirements, one code per rule). */
export type RejectReason =
  /** The bytes do not decode as the message they claim to be. */
  | 'malformed'
  /** Not one of `channel_announcement`, `node_announcement`, `channel_update`. */
  | 'not_gossip'
  /** `chain_hash` is not ours ("MUST ignore the message"). */
  | 'unknown_chain'
  /** A `node_id` or `bitcoin_key` is not a valid point. */
  | 'bad_key'
  /** A signature does not verify over the double-SHA256 of the signed portion. */
  | 'bad_signature'
  /** `node_id_1` is not the lexicographically lesser key. */
  | 'bad_node_order'
  /** No output at `short_channel_id`. */
  | 'funding_missing'
  /** The output is not the P2WSH of `2 <bitcoin_key_1> <bitcoin_key_2> 2 OP_CHECKMULTISIG`. */
  | 'funding_script_mismatch'
  /** The funding output is spent. */
  | 'funding_spent'
  /** Already known (same channel, or same timestamp and same content). */
  | 'duplicate'
  /** `timestamp` not newer than the one held. */
  | 'stale'
  /** Same timestamp as the one held but different fields. */
  | 'same_timestamp_conflict'
  /** `timestamp` unreasonably far in the future. */
  | 'future_timestamp'
  /** `channel_update` for a channel with no `channel_announcement`. */
  | 'unknown_channel'
  /** `channel_update` without `disable` for a channel whose funding output is spent. */
  | 'channel_spent'
  /** `htlc_maximum_msat` < `htlc_minimum_msat`, or above the channel capacity. */
  | 'bad_htlc_limits'
  /** `dont_forward` is set: a private update that must not be relayed. */
  | 'dont_forward'
  /** `node_announcement` of a node with no known channel. */
  | 'unknown_node'
  /** More than one DNS hostname (BOLT 7: "MUST not forward"). */
  | 'bad_addresses'
  /** The channel direction or node exceeded its rate limit. */
  | 'rate_limited'
  /** A node involved is blacklisted. */
  | 'blacklisted'
  /** The channel was pruned as a zombie and has not been revived. */
  | 'zombie';

/** Outcome of one check. */
export type Verdict = { ok: true } | { ok: false; reason: RejectReason; detail: string };

export const OK: Verdict = { ok: true };

/** A rejection verdict. */
export function reject(reason: RejectReason, detail: string): Verdict {
  return { ok: false, reason, detail };
}

const PENALISED: ReadonlySet<RejectReason> = new Set<RejectReason>([
  'malformed',
  'bad_key',
  'bad_signature',
  'bad_node_order',
  'funding_script_mismatch',
  'bad_addresses',
]);

/**
 * Whether a rejection proves the sender relayed invalid gossip (BOLT 7: "SHOULD send a warning")
 * rather than merely old or not-yet-useful gossip, which honest peers also send.
 */
export function isPenalised(reason: RejectReason): boolean {
  return PENALISED.has(reason);
}
