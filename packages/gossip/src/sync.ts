import {
  QUERY_OPTION_WANT_CHECKSUMS,
  QUERY_OPTION_WANT_TIMESTAMPS,
  type QueryChannelRangeMessage,
  type QueryShortChannelIdsMessage,
  type ReplyChannelRangeMessage,
} from '@shoal/wire';
import {
  MAX_MESSAGE_BYTES,
  QUERY_FLAG_ALL,
  QUERY_FLAG_NODE_1,
  QUERY_FLAG_NODE_2,
  QUERY_FLAG_UPDATE_1,
  QUERY_FLAG_UPDATE_2,
  STALE_UPDATE_SECONDS,
} from './constants.js';
import { GossipError } from './errors.js';
import type { RoutingGraph } from './graph.js';
import { bytesEqual } from './util.js';

/** One short channel id to ask for, and what about it (BOLT 7 `query_flags` bits). */
export interface ScidWant {
  scid: bigint;
  flags: bigint;
}

/** BOLT 7 `query_channel_range` for our own sync (timestamps and checksums asked when `extended`). */
export function buildQueryChannelRange(
  chainHash: Uint8Array,
  firstBlocknum: number,
  numberOfBlocks: number,
  extended: boolean,
): QueryChannelRangeMessage {
  if (numberOfBlocks < 1) throw new GossipError('GOSSIP_BAD_OPTION', 'number_of_blocks must be 1 or greater');
  return {
    type: 'query_channel_range',
    chainHash,
    firstBlocknum,
    numberOfBlocks,
    tlvs: extended
      ? { queryOption: QUERY_OPTION_WANT_TIMESTAMPS | QUERY_OPTION_WANT_CHECKSUMS, unknown: [] }
      : { unknown: [] },
  };
}

/**
 * The initiator side of BOLT 7 extended queries: from one `reply_channel_range` and our graph,
 * which ids to query and with which flags. Unknown channels: everything. Known unspent ones:
 * the update of a direction only when the peer's timestamp is newer than ours and, when
 * checksums came, its checksum differs (same content, newer timestamp is not worth a message);
 * and then the node announcements we lack. With `nowSeconds`, a remote update already stale is
 * not asked for, and an identical one is asked for when ours is within a day of going stale (so a
 * live channel is not pruned). `skip` drops ids we do not want (zombies, spent).
 */
export function scidsToQuery(
  reply: ReplyChannelRangeMessage,
  graph: RoutingGraph,
  options: { skip?: (scid: bigint) => boolean; nowSeconds?: number; staleSeconds?: number } = {},
): ScidWant[] {
  const skip = options.skip ?? (() => false);
  const staleBefore =
    options.nowSeconds === undefined
      ? 0
      : options.nowSeconds - (options.staleSeconds ?? STALE_UPDATE_SECONDS);
  const ts = reply.tlvs.timestamps;
  const cs = reply.tlvs.checksums;
  const out: ScidWant[] = [];
  reply.shortChannelIds.forEach((scid, i) => {
    if (skip(scid)) return;
    const c = graph.channel(scid);
    if (!c) {
      out.push({ scid, flags: QUERY_FLAG_ALL });
      return;
    }
    if (!ts || c.spentAtHeight !== undefined) return;
    const remoteTs = [ts[i]?.nodeId1 ?? 0, ts[i]?.nodeId2 ?? 0];
    const remoteCs = cs ? [cs[i]?.nodeId1 ?? 0, cs[i]?.nodeId2 ?? 0] : undefined;
    let flags = 0n;
    for (const d of [0, 1] as const) {
      const ours = c.updates[d];
      const newer = remoteTs[d]! > (ours?.timestamp ?? 0) && remoteTs[d]! >= staleBefore;
      const almostStale = staleBefore > 0 && ours !== undefined && ours.timestamp < staleBefore + 86_400;
      const differs = !ours || !remoteCs || remoteCs[d] !== ours.checksum || almostStale;
      if (newer && differs) flags |= d === 0 ? QUERY_FLAG_UPDATE_1 : QUERY_FLAG_UPDATE_2;
    }
    if (flags !== 0n) {
      if (!graph.node(c.nodeId1)?.announcement) flags |= QUERY_FLAG_NODE_1;
      if (!graph.node(c.nodeId2)?.announcement) flags |= QUERY_FLAG_NODE_2;
      out.push({ scid, flags });
    }
  });
  return out;
}

/** Largest number of ids one `query_short_channel_ids` can carry (flags of one byte each). */
export function maxIdsPerQuery(withFlags: boolean): number {
  const fixed = 2 + 32 + 2 + 1 + (withFlags ? 1 + 3 + 1 : 0);
  return Math.floor((MAX_MESSAGE_BYTES - fixed) / (8 + (withFlags ? 1 : 0)));
}

/**
 * BOLT 7 `query_short_channel_ids` messages for `wants`, ascending, each within 65535 bytes;
 * `query_flags` included when `withFlags` (the peer offers `gossip_queries_ex`). Send one, wait
 * for `reply_short_channel_ids_end`, then the next.
 */
export function buildScidQueries(
  chainHash: Uint8Array,
  wants: readonly ScidWant[],
  withFlags: boolean,
  maxPerQuery = Number.POSITIVE_INFINITY,
): QueryShortChannelIdsMessage[] {
  const sorted = [...wants].sort((a, b) => (a.scid < b.scid ? -1 : a.scid > b.scid ? 1 : 0));
  const max = Math.max(1, Math.min(maxPerQuery, maxIdsPerQuery(withFlags)));
  const out: QueryShortChannelIdsMessage[] = [];
  for (let i = 0; i < sorted.length; i += max) {
    const part = sorted.slice(i, i + max);
    out.push({
      type: 'query_short_channel_ids',
      chainHash,
      shortChannelIds: part.map((w) => w.scid),
      tlvs: withFlags ? { queryFlags: part.map((w) => w.flags), unknown: [] } : { unknown: [] },
    });
  }
  return out;
}

/**
 * Follows the replies to one `query_channel_range` (BOLT 7 rules for the receiver of replies):
 * same chain, the first reply covers `first_blocknum`, each next one starts at or after the
 * previous one, and the query is answered once a reply reaches its last block.
 */
export class ChannelRangeCollector {
  readonly query: QueryChannelRangeMessage;
  #prevFirst = -1;
  #done = false;
  #ids = 0;

  constructor(query: QueryChannelRangeMessage) {
    this.query = query;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Short channel ids received so far. */
  get received(): number {
    return this.#ids;
  }

  /** Checks one reply; true once the queried range is fully answered. Throws `GOSSIP_BAD_REPLY`. */
  accept(reply: ReplyChannelRangeMessage): boolean {
    const q = this.query;
    const bad = (why: string): GossipError =>
      new GossipError('GOSSIP_BAD_REPLY', why, { first: reply.firstBlocknum, blocks: reply.numberOfBlocks });
    if (this.#done) throw bad('reply_channel_range after the query was fully answered');
    if (!bytesEqual(reply.chainHash, q.chainHash)) throw bad('reply_channel_range for another chain');
    const replyEnd = reply.firstBlocknum + reply.numberOfBlocks;
    if (this.#prevFirst < 0) {
      if (reply.firstBlocknum > q.firstBlocknum || replyEnd <= q.firstBlocknum) {
        throw bad('first reply_channel_range does not cover first_blocknum');
      }
    } else if (reply.firstBlocknum < this.#prevFirst) {
      throw bad('reply_channel_range goes backwards');
    }
    for (const id of reply.shortChannelIds) {
      const block = Number(id >> 40n);
      if (block < reply.firstBlocknum || block >= replyEnd)
        throw bad('short_channel_id outside the reply range');
    }
    this.#prevFirst = reply.firstBlocknum;
    this.#ids += reply.shortChannelIds.length;
    this.#done = replyEnd >= q.firstBlocknum + q.numberOfBlocks;
    return this.#done;
  }
}
