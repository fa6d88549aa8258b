import {
  type NodePair,
  QUERY_OPTION_WANT_CHECKSUMS,
  QUERY_OPTION_WANT_TIMESTAMPS,
  type QueryChannelRangeMessage,
  type QueryShortChannelIdsMessage,
  type ReplyChannelRangeMessage,
  type ReplyShortChannelIdsEndMessage,
} from '@shoal/wire';
import {
  MAX_MESSAGE_BYTES,
  QUERY_FLAG_ANNOUNCEMENT,
  QUERY_FLAG_NODE_1,
  QUERY_FLAG_NODE_2,
  QUERY_FLAG_UPDATE_1,
  QUERY_FLAG_UPDATE_2,
} from './constants.js';
import { GossipError } from './errors.js';
import type { RoutingGraph } from './graph.js';
import type { ChannelInfo } from './graph-types.js';
import { bytesEqual, nodeKey, scidBlock } from './util.js';

const U32_MAX = 0xffff_ffff;
/** type + chain_hash + first_blocknum + number_of_blocks + sync_complete + len + encoding byte. */
const REPLY_FIXED = 2 + 32 + 4 + 4 + 1 + 2 + 1;
/** TLV type byte + a 3-byte bigsize length (+ the encoding byte for timestamps). */
const TIMESTAMPS_TLV_FIXED = 1 + 3 + 1;
const CHECKSUMS_TLV_FIXED = 1 + 3;

/** Largest number of short channel ids one `reply_channel_range` can carry within 65535 bytes. */
export function maxIdsPerReply(timestamps: boolean, checksums: boolean): number {
  const fixed = REPLY_FIXED + (timestamps ? TIMESTAMPS_TLV_FIXED : 0) + (checksums ? CHECKSUMS_TLV_FIXED : 0);
  const per = 8 + (timestamps ? 8 : 0) + (checksums ? 8 : 0);
  return Math.floor((MAX_MESSAGE_BYTES - fixed) / per);
}

/** Splits ascending scids into chunks of at most `max`, cutting at block boundaries when possible. */
function chunkByBlock(scids: bigint[], max: number): bigint[][] {
  const out: bigint[][] = [];
  let i = 0;
  while (i < scids.length) {
    let end = Math.min(i + max, scids.length);
    if (end < scids.length && scidBlock(scids[end]!) === scidBlock(scids[end - 1]!)) {
      // Back off to the start of the block that would be split, unless it fills the chunk alone.
      let cut = end - 1;
      const block = scidBlock(scids[end]!);
      while (cut > i && scidBlock(scids[cut - 1]!) === block) cut--;
      if (cut > i) end = cut;
    }
    out.push(scids.slice(i, end));
    i = end;
  }
  return out;
}

function pairsOf(c: ChannelInfo, pick: (u: { timestamp: number; checksum: number }) => number): NodePair {
  return { nodeId1: c.updates[0] ? pick(c.updates[0]) : 0, nodeId2: c.updates[1] ? pick(c.updates[1]) : 0 };
}

/**
 * BOLT 7 `query_channel_range` receiver: one or more `reply_channel_range` covering exactly the
 * queried blocks (the first starts at `first_blocknum`, each next one where the previous ended,
 * the last reaches `first_blocknum + number_of_blocks`), each within 65535 bytes, never zlib,
 * `sync_complete` set on the last only, with timestamps and checksums when `query_option` asks.
 * Spent channels are not listed. For another chain: one empty reply with `sync_complete` 0.
 */
export function answerQueryChannelRange(
  graph: RoutingGraph,
  query: QueryChannelRangeMessage,
  chainHash: Uint8Array,
  options: { maxIdsPerReply?: number } = {},
): ReplyChannelRangeMessage[] {
  if (query.numberOfBlocks === 0) {
    throw new GossipError('GOSSIP_BAD_QUERY', 'query_channel_range with number_of_blocks 0');
  }
  const first = query.firstBlocknum;
  const end = first + query.numberOfBlocks;
  const base = { type: 'reply_channel_range' as const, chainHash: query.chainHash };
  if (!bytesEqual(query.chainHash, chainHash)) {
    return [
      {
        ...base,
        firstBlocknum: first,
        numberOfBlocks: query.numberOfBlocks,
        syncComplete: 0,
        shortChannelIds: [],
        tlvs: { unknown: [] },
      },
    ];
  }
  const opt = query.tlvs.queryOption ?? 0n;
  const wantTs = (opt & QUERY_OPTION_WANT_TIMESTAMPS) !== 0n;
  const wantCs = (opt & QUERY_OPTION_WANT_CHECKSUMS) !== 0n;
  const max = Math.min(options.maxIdsPerReply ?? Number.POSITIVE_INFINITY, maxIdsPerReply(wantTs, wantCs));
  const chunks = chunkByBlock(graph.scidsInBlocks(first, Math.min(end, 0x100_0000)), max);
  if (chunks.length === 0) chunks.push([]);
  const replies: ReplyChannelRangeMessage[] = [];
  let prevEnd = first;
  chunks.forEach((ids, i) => {
    const last = i === chunks.length - 1;
    // A block split across replies starts the next reply at that same block (BOLT 7 allows it).
    const start = i === 0 ? first : Math.min(prevEnd, scidBlock(ids[0]!));
    const stop = last ? end : scidBlock(ids[ids.length - 1]!) + 1;
    prevEnd = stop;
    const channels = ids.map((id) => graph.channel(id)!);
    replies.push({
      ...base,
      firstBlocknum: start,
      numberOfBlocks: Math.min(stop - start, U32_MAX),
      syncComplete: last ? 1 : 0,
      shortChannelIds: ids,
      tlvs: {
        ...(wantTs ? { timestamps: channels.map((c) => pairsOf(c, (u) => u.timestamp)) } : {}),
        ...(wantCs ? { checksums: channels.map((c) => pairsOf(c, (u) => u.checksum)) } : {}),
        unknown: [],
      },
    });
  });
  return replies;
}

/** The answer to one `query_short_channel_ids`: messages to send, then the end marker. */
export interface ScidQueryAnswer {
  messages: Uint8Array[];
  end: ReplyShortChannelIdsEndMessage;
}

/**
 * BOLT 7 `query_short_channel_ids` receiver: for each known, unspent id the
 * `channel_announcement`, the latest `channel_update` of each end and the `node_announcement`s
 * (or what `query_flags` selects), sent as all announcements, then all updates, then the node
 * announcements without duplicates (so nothing precedes the announcement it depends on), then
 * `reply_short_channel_ids_end` (`full_information` 0 for another chain).
 * Throws `GOSSIP_BAD_QUERY` when `query_flags` does not hold one flag per id.
 */
export function answerQueryShortChannelIds(
  graph: RoutingGraph,
  query: QueryShortChannelIdsMessage,
  chainHash: Uint8Array,
): ScidQueryAnswer {
  const endOf = (full: number): ReplyShortChannelIdsEndMessage => ({
    type: 'reply_short_channel_ids_end',
    chainHash: query.chainHash,
    fullInformation: full,
    tlvs: { unknown: [] },
  });
  if (!bytesEqual(query.chainHash, chainHash)) return { messages: [], end: endOf(0) };
  const flags = query.tlvs.queryFlags;
  if (flags && flags.length !== query.shortChannelIds.length) {
    throw new GossipError('GOSSIP_BAD_QUERY', 'query_flags does not hold one flag per short_channel_id', {
      ids: query.shortChannelIds.length,
      flags: flags.length,
    });
  }
  const anns: Uint8Array[] = [];
  const updates: Uint8Array[] = [];
  const nodes: Uint8Array[] = [];
  const seenNodes = new Set<string>();
  const addNode = (id: Uint8Array): void => {
    const k = nodeKey(id);
    const a = graph.node(id)?.announcement;
    if (a && !seenNodes.has(k)) {
      seenNodes.add(k);
      nodes.push(a.raw);
    }
  };
  query.shortChannelIds.forEach((id, i) => {
    const c = graph.channel(id);
    if (!c || c.spentAtHeight !== undefined) return;
    const f = flags
      ? flags[i]!
      : QUERY_FLAG_ANNOUNCEMENT |
        QUERY_FLAG_UPDATE_1 |
        QUERY_FLAG_UPDATE_2 |
        QUERY_FLAG_NODE_1 |
        QUERY_FLAG_NODE_2;
    if (f & QUERY_FLAG_ANNOUNCEMENT) anns.push(c.announcement);
    if (f & QUERY_FLAG_UPDATE_1 && c.updates[0]) updates.push(c.updates[0].raw);
    if (f & QUERY_FLAG_UPDATE_2 && c.updates[1]) updates.push(c.updates[1].raw);
    if (f & QUERY_FLAG_NODE_1) addNode(c.nodeId1);
    if (f & QUERY_FLAG_NODE_2) addNode(c.nodeId2);
  });
  return { messages: [...anns, ...updates, ...nodes], end: endOf(1) };
}
