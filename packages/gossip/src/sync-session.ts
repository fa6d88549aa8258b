import type {
  QueryChannelRangeMessage,
  QueryShortChannelIdsMessage,
  ReplyChannelRangeMessage,
  ReplyShortChannelIdsEndMessage,
} from '@shoal/wire';
import { GossipError } from './errors.js';
import type { RoutingGraph } from './graph.js';
import {
  buildQueryChannelRange,
  buildScidQueries,
  ChannelRangeCollector,
  type ScidWant,
  scidsToQuery,
} from './sync.js';
import { bytesEqual } from './util.js';

/** Options of a {@link GossipSyncSession}. */
export interface GossipSyncOptions {
  chainHash: Uint8Array;
  /** The peer offers `gossip_queries_ex`: ask for timestamps and checksums, send query flags. */
  extended: boolean;
  firstBlocknum?: number;
  numberOfBlocks?: number;
  /** Ids not worth asking for (zombies, known-spent). */
  skip?: (scid: bigint) => boolean;
  /** Current time in seconds, for the stale rules of {@link scidsToQuery}. */
  nowSeconds?: number;
  /** Cap on ids per `query_short_channel_ids` (default: as many as fit in a message). */
  maxIdsPerQuery?: number;
}

/** Where an initial sync stands (for logs and `getinfo`). */
export interface GossipSyncProgress {
  phase: 'range' | 'ids' | 'done';
  /** Short channel ids the peer listed so far. */
  listed: number;
  /** Channels we asked about. */
  wanted: number;
  /** `query_short_channel_ids` answered / total. */
  queriesDone: number;
  queriesTotal: number;
  /** The peer said it lacks full information for the chain (`full_information` 0). */
  incomplete: boolean;
}

/**
 * Our side of a gossip sync with one peer (BOLT 7 "Query Messages"): one `query_channel_range`,
 * then, once its replies cover the range, one `query_short_channel_ids` at a time, each sent
 * after the previous one's `reply_short_channel_ids_end` (never two in flight). The gossip the
 * peer sends meanwhile goes through normal validation; this only decides what to ask.
 */
export class GossipSyncSession {
  readonly #graph: RoutingGraph;
  readonly #options: GossipSyncOptions;
  #collector: ChannelRangeCollector | undefined;
  readonly #wants: ScidWant[] = [];
  #queries: QueryShortChannelIdsMessage[] = [];
  #next = 0;
  #phase: GossipSyncProgress['phase'] = 'range';
  #incomplete = false;

  constructor(graph: RoutingGraph, options: GossipSyncOptions) {
    this.#graph = graph;
    this.#options = options;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  /** The `query_channel_range` to send first. */
  start(): QueryChannelRangeMessage {
    if (this.#collector) throw new GossipError('GOSSIP_QUERY_IN_FLIGHT', 'sync session already started');
    const o = this.#options;
    const q = buildQueryChannelRange(
      o.chainHash,
      o.firstBlocknum ?? 0,
      o.numberOfBlocks ?? 0xffff_ffff,
      o.extended,
    );
    this.#collector = new ChannelRangeCollector(q);
    return q;
  }

  /** One `reply_channel_range`: returns the first id query once the range is covered (if any). */
  onReplyChannelRange(reply: ReplyChannelRangeMessage): QueryShortChannelIdsMessage | undefined {
    if (!this.#collector || this.#phase !== 'range') {
      throw new GossipError('GOSSIP_BAD_REPLY', 'unexpected reply_channel_range');
    }
    const finished = this.#collector.accept(reply);
    this.#wants.push(
      ...scidsToQuery(reply, this.#graph, {
        ...(this.#options.skip ? { skip: this.#options.skip } : {}),
        ...(this.#options.nowSeconds !== undefined ? { nowSeconds: this.#options.nowSeconds } : {}),
      }),
    );
    if (!finished) return undefined;
    this.#queries = buildScidQueries(
      this.#options.chainHash,
      this.#wants,
      this.#options.extended,
      this.#options.maxIdsPerQuery,
    );
    this.#phase = 'ids';
    return this.#advance();
  }

  /** A `reply_short_channel_ids_end`: returns the next id query, or undefined when done. */
  onReplyShortChannelIdsEnd(end: ReplyShortChannelIdsEndMessage): QueryShortChannelIdsMessage | undefined {
    if (this.#phase !== 'ids' || this.#next === 0) {
      throw new GossipError('GOSSIP_BAD_REPLY', 'unexpected reply_short_channel_ids_end');
    }
    if (!bytesEqual(end.chainHash, this.#options.chainHash)) {
      throw new GossipError('GOSSIP_BAD_REPLY', 'reply_short_channel_ids_end for another chain');
    }
    if (end.fullInformation === 0) this.#incomplete = true;
    return this.#advance();
  }

  progress(): GossipSyncProgress {
    return {
      phase: this.#phase,
      listed: this.#collector?.received ?? 0,
      wanted: this.#wants.length,
      queriesDone: this.#phase === 'done' ? this.#queries.length : Math.max(0, this.#next - 1),
      queriesTotal: this.#queries.length,
      incomplete: this.#incomplete,
    };
  }

  #advance(): QueryShortChannelIdsMessage | undefined {
    const q = this.#queries[this.#next];
    if (!q) {
      this.#phase = 'done';
      return undefined;
    }
    this.#next++;
    return q;
  }
}
