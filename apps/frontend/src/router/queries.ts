import {
  answerQueryChannelRange,
  answerQueryShortChannelIds,
  GossipError,
  gossipForFilter,
  QueryGuard,
  type RoutingGraph,
  type TimestampFilter,
} from '@shoal/gossip';
import {
  encodeMessage,
  type GossipTimestampFilterMessage,
  type QueryChannelRangeMessage,
  type QueryShortChannelIdsMessage,
} from '@shoal/wire';
import type { PeerWriter } from './peer-writer.js';
import type { RouterPeer } from './types.js';

/** What {@link QueryAnswerer} needs. */
export interface QueryAnswererDeps {
  graph: () => RoutingGraph;
  /** Runs `fn` now if the graph copy is in sync, else once it is. */
  whenReady: (fn: () => void) => void;
  warn: (peer: RouterPeer, text: string) => void;
  setFilter: (peerId: string, filter: TimestampFilter) => void;
  answered: (type: string) => void;
}

const identity = (m: Uint8Array): Uint8Array => m;

/**
 * The answering side of BOLT 7 "Query Messages", from the graph copy: `query_channel_range`
 * (block-aligned replies, `sync_complete`, timestamps/checksums on request, never zlib) and
 * `query_short_channel_ids`, one of each in flight per peer ({@link QueryGuard}: a second one
 * earns a `warning` and is ignored), and `gossip_timestamp_filter` (backfill, then the filter
 * applies to rebroadcasts). Answers go through the peer's {@link PeerWriter}, paced by its socket.
 */
export class QueryAnswerer {
  readonly #guard = new QueryGuard();

  constructor(private readonly deps: QueryAnswererDeps) {}

  queryChannelRange(peer: RouterPeer, writer: PeerWriter, q: QueryChannelRangeMessage): void {
    if (!this.#begin(peer, 'query_channel_range')) return;
    this.deps.whenReady(() => {
      let replies: ReturnType<typeof answerQueryChannelRange>;
      try {
        replies = answerQueryChannelRange(this.deps.graph(), q, peer.chainHash);
      } catch (err) {
        this.#end(peer, 'query_channel_range');
        this.#refuse(peer, err);
        return;
      }
      this.deps.answered('query_channel_range');
      const queued = writer.push(replies, (r) => encodeMessage(r), {
        done: () => this.#end(peer, 'query_channel_range'),
      });
      if (!queued) this.#end(peer, 'query_channel_range'); // the connection closed meanwhile
    });
  }

  queryShortChannelIds(peer: RouterPeer, writer: PeerWriter, q: QueryShortChannelIdsMessage): void {
    if (!this.#begin(peer, 'query_short_channel_ids')) return;
    this.deps.whenReady(() => {
      let answer: ReturnType<typeof answerQueryShortChannelIds>;
      try {
        answer = answerQueryShortChannelIds(this.deps.graph(), q, peer.chainHash);
      } catch (err) {
        this.#end(peer, 'query_short_channel_ids');
        this.#refuse(peer, err);
        return;
      }
      this.deps.answered('query_short_channel_ids');
      const queued = writer.push([...answer.messages, encodeMessage(answer.end)], identity, {
        done: () => this.#end(peer, 'query_short_channel_ids'),
      });
      if (!queued) this.#end(peer, 'query_short_channel_ids');
    });
  }

  /** BOLT 7 `gossip_timestamp_filter` receiver: replaces the filter, backfills what it selects. */
  timestampFilter(peer: RouterPeer, writer: PeerWriter, m: GossipTimestampFilterMessage): void {
    if (Buffer.compare(Buffer.from(m.chainHash), Buffer.from(peer.chainHash)) !== 0) return;
    const filter = { firstTimestamp: m.firstTimestamp, timestampRange: m.timestampRange };
    this.deps.setFilter(peer.id, filter);
    this.deps.whenReady(() => {
      if (!peer.isOpen) return;
      this.deps.answered('gossip_timestamp_filter');
      writer.push(gossipForFilter(this.deps.graph(), filter), identity);
    });
  }

  forget(peerId: string): void {
    this.#guard.forget(peerId);
  }

  #begin(peer: RouterPeer, kind: 'query_channel_range' | 'query_short_channel_ids'): boolean {
    try {
      this.#guard.begin(peer.id, kind);
      return true;
    } catch (err) {
      this.#refuse(peer, err);
      return false;
    }
  }

  #end(peer: RouterPeer, kind: 'query_channel_range' | 'query_short_channel_ids'): void {
    this.#guard.end(peer.id, kind);
  }

  #refuse(peer: RouterPeer, err: unknown): void {
    if (!(err instanceof GossipError)) throw err;
    this.deps.warn(peer, `${err.code}: ${err.message}`);
  }
}
