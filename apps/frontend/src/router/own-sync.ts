import type { GossipSyncReport } from '@shoal/front-protocol';
import { GossipError, GossipSyncSession, type RoutingGraph } from '@shoal/gossip';
import type { Logger } from '@shoal/log';
import {
  encodeMessage,
  type GossipTimestampFilterMessage,
  type ReplyChannelRangeMessage,
  type ReplyShortChannelIdsEndMessage,
} from '@shoal/wire';
import type { RouterPeer } from './types.js';

/** What an {@link OwnSync} needs. */
export interface OwnSyncDeps {
  /** Queues one message for the peer (in order with answers and rebroadcasts). */
  send: (message: Uint8Array) => void;
  /** Sends a progress report to the backend `Router`. */
  report: (r: GossipSyncReport) => void;
  logger: Logger;
  now: () => number;
}

/** BOLT 7: a filter covering everything from `first` on. */
const FULL_RANGE = 0xffff_ffff;

/**
 * Our own initial sync with one peer (issue 6 "Our own sync", BOLT 7 "Query Messages"): a
 * {@link GossipSyncSession} over this connection (`query_channel_range`, then one
 * `query_short_channel_ids` at a time), throttled `GossipSyncReport`s and a final `done`/`failed`
 * one, then a `gossip_timestamp_filter` starting a margin before the sync began so that gossip
 * made meanwhile is not missed. The gossip the peer sends goes through the normal gossip-in path.
 */
export class OwnSync {
  readonly #session: GossipSyncSession;
  readonly #startedAt: number;
  #lastReport = 0;
  #finished = false;

  constructor(
    private readonly peer: RouterPeer,
    graph: RoutingGraph,
    private readonly deps: OwnSyncDeps,
    private readonly options: { reportIntervalMs: number; filterMarginSeconds: number },
  ) {
    this.#startedAt = deps.now();
    this.#session = new GossipSyncSession(graph, {
      chainHash: peer.chainHash,
      extended: peer.remoteFeatures.has('gossip_queries_ex'),
      nowSeconds: Math.floor(this.#startedAt / 1000),
    });
  }

  get finished(): boolean {
    return this.#finished;
  }

  start(): void {
    this.deps.logger.info('gossip sync started', {
      extended: this.peer.remoteFeatures.has('gossip_queries_ex'),
    });
    this.deps.send(encodeMessage(this.#session.start()));
    this.#report(true);
  }

  onReplyChannelRange(m: ReplyChannelRangeMessage): void {
    this.#step(() => this.#session.onReplyChannelRange(m));
  }

  onReplyShortChannelIdsEnd(m: ReplyShortChannelIdsEndMessage): void {
    this.#step(() => this.#session.onReplyShortChannelIdsEnd(m));
  }

  /** The connection closed before the end. */
  abort(why: string): void {
    if (this.#finished) return;
    this.#finished = true;
    this.deps.logger.warn('gossip sync aborted', { why });
    this.deps.report({ ...this.#base(), phase: 'failed' });
  }

  #step(advance: () => ReturnType<GossipSyncSession['onReplyChannelRange']>): void {
    if (this.#finished) return;
    let next: ReturnType<GossipSyncSession['onReplyChannelRange']>;
    try {
      next = advance();
    } catch (err) {
      if (!(err instanceof GossipError)) throw err;
      this.#finished = true;
      this.deps.logger.warn('gossip sync failed', { code: err.code, error: err.message });
      this.deps.report({ ...this.#base(), phase: 'failed' });
      this.#sendFilter();
      return;
    }
    if (next) this.deps.send(encodeMessage(next));
    if (this.#session.done) {
      this.#finished = true;
      const p = this.#session.progress();
      this.deps.logger.info('gossip sync done', { ...p });
      this.#report(true);
      this.#sendFilter();
    } else this.#report(false);
  }

  #base(): GossipSyncReport {
    const p = this.#session.progress();
    return { nodeId: this.peer.nodeId, ...p };
  }

  #report(force: boolean): void {
    const now = this.deps.now();
    if (!force && now - this.#lastReport < this.options.reportIntervalMs) return;
    this.#lastReport = now;
    this.deps.report(this.#base());
  }

  #sendFilter(): void {
    const first = Math.max(0, Math.floor(this.#startedAt / 1000) - this.options.filterMarginSeconds);
    this.deps.send(timestampFilter(this.peer.chainHash, first));
  }
}

/** BOLT 7 `gossip_timestamp_filter` from `first` (seconds) on. */
export function timestampFilter(chainHash: Uint8Array, first: number): Uint8Array {
  const m: GossipTimestampFilterMessage = {
    type: 'gossip_timestamp_filter',
    chainHash,
    firstTimestamp: first,
    timestampRange: FULL_RANGE,
    tlvs: { unknown: [] },
  };
  return encodeMessage(m);
}
