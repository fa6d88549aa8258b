import type { GossipSyncReport } from '@shoal/front-protocol';
import type { RebroadcastScheduler, RoutingGraph } from '@shoal/gossip';
import type { Logger } from '@shoal/log';
import { decodeMessage, encodeMessage, WireError } from '@shoal/wire';
import { FrontendError } from '../errors.js';
import type { GossipIntake } from './gossip-in.js';
import { OwnSync, timestampFilter } from './own-sync.js';
import { PeerWriter } from './peer-writer.js';
import type { QueryAnswerer } from './queries.js';
import { type ResolvedRouterOptions, type RouterPeer, typeOf } from './types.js';

/** BOLT 7 message types the router takes from peers (announcement_signatures, 259, goes to the backend). */
export const ROUTED_TYPES: ReadonlySet<number> = new Set([256, 257, 258, 261, 262, 263, 264, 265]);
const ZERO_CHANNEL_ID = new Uint8Array(32);
/** Everything: for peers without `gossip_queries`, who get all gossip (BOLT 7). */
const FULL_FILTER = { firstTimestamp: 0, timestampRange: 0xffff_ffff };

/** What {@link PeerGossip} needs from the router. */
export interface PeerGossipDeps {
  scheduler: RebroadcastScheduler;
  queries: QueryAnswerer;
  intake: GossipIntake;
  graph: () => RoutingGraph;
  /** Runs `fn` now if the graph copy is in sync, else once it is. */
  onceReady: (fn: () => void) => void;
  report: (r: GossipSyncReport) => void;
  logger: Logger;
  now: () => number;
}

interface PeerState {
  peer: RouterPeer;
  writer: PeerWriter;
  sync?: OwnSync;
}

/**
 * The router's side of each ready connection: its writer, its place in the rebroadcast schedule
 * (with the BOLT 7 filter rules), its own sync if the backend asked for one, and the dispatch of
 * the gossip and query messages it sends.
 */
export class PeerGossip {
  readonly #peers = new Map<string, PeerState>();

  constructor(
    private readonly deps: PeerGossipDeps,
    private readonly options: ResolvedRouterOptions,
  ) {}

  /** Messages queued for peers and not yet handed to their sockets. */
  get backlog(): number {
    let n = 0;
    for (const s of this.#peers.values()) n += s.writer.queued;
    return n;
  }

  ids(): string[] {
    return [...this.#peers.keys()];
  }

  /** Queues `messages` for a connection (rebroadcast: dropped when it is too far behind). */
  rebroadcast(peerId: string, messages: Uint8Array[]): boolean {
    return this.#peers.get(peerId)?.writer.push(messages, (m) => m, { droppable: true }) ?? false;
  }

  attach(peer: RouterPeer): void {
    const state: PeerState = { peer, writer: new PeerWriter(peer, this.options.maxQueuedPerPeer) };
    this.#peers.set(peer.id, state);
    this.deps.scheduler.addPeer(peer.id);
    // BOLT 7: without gossip_queries a peer gets all gossip; with it, only after its filter.
    if (!peer.remoteFeatures.has('gossip_queries')) this.deps.scheduler.setFilter(peer.id, FULL_FILTER);
    else if (peer.doSync) this.deps.onceReady(() => this.#startSync(state));
    else state.writer.push([timestampFilter(peer.chainHash, Math.floor(this.deps.now() / 1000))], (m) => m);
  }

  detach(peerId: string): void {
    const s = this.#peers.get(peerId);
    if (!s) return;
    this.#peers.delete(peerId);
    s.writer.close();
    s.sync?.abort('connection closed');
    this.deps.scheduler.removePeer(peerId);
    this.deps.queries.forget(peerId);
    this.deps.intake.forget(peerId);
  }

  /** A gossip or gossip-query message from an attached peer. */
  onMessage(peerId: string, raw: Uint8Array): void {
    const s = this.#peers.get(peerId);
    if (!s) return;
    const type = typeOf(raw);
    if (type >= 256 && type <= 258) {
      this.deps.intake.offer(s.peer, raw);
      return;
    }
    let m: ReturnType<typeof decodeMessage>;
    try {
      m = decodeMessage(raw);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      this.warn(peerId, `malformed message type ${type}: ${err.message}`);
      return;
    }
    const q = this.deps.queries;
    switch (m.type) {
      case 'query_channel_range':
        q.queryChannelRange(s.peer, s.writer, m);
        break;
      case 'query_short_channel_ids':
        q.queryShortChannelIds(s.peer, s.writer, m);
        break;
      case 'gossip_timestamp_filter':
        q.timestampFilter(s.peer, s.writer, m);
        break;
      case 'reply_channel_range':
        s.sync?.onReplyChannelRange(m);
        break;
      case 'reply_short_channel_ids_end':
        s.sync?.onReplyShortChannelIdsEnd(m);
        break;
      default:
        throw new FrontendError('FRONTEND_PROTOCOL', `router got message type ${type}`, { type });
    }
  }

  /** BOLT 1 `warning` (all-zero channel_id), written at once (ahead of queued answers). */
  warn(peerId: string, text: string): void {
    const peer = this.#peers.get(peerId)?.peer;
    if (!peer?.isOpen) return;
    const data = Buffer.from(text, 'utf8');
    peer.send(encodeMessage({ type: 'warning', channelId: ZERO_CHANNEL_ID, data, tlvs: { unknown: [] } }));
  }

  #startSync(state: PeerState): void {
    const peer = state.peer;
    if (this.#peers.get(peer.id) !== state) return;
    state.sync = new OwnSync(
      peer,
      this.deps.graph(),
      {
        send: (m) => state.writer.push([m], (x) => x),
        report: this.deps.report,
        logger: this.deps.logger.child({ component: 'gossip-sync', peer: peer.id }),
        now: this.deps.now,
      },
      {
        reportIntervalMs: this.options.syncReportIntervalMs,
        filterMarginSeconds: this.options.filterMarginSeconds,
      },
    );
    state.sync.start();
  }
}
