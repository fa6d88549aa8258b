import type { Features } from '@shoal/wire';

/**
 * What the router needs from one ready peer connection (the `PeerConnection` builds it once the
 * BOLT 1 `init` exchange succeeded). Peer ids are opaque strings, unique per connection.
 */
export interface RouterPeer {
  readonly id: string;
  /** The peer's node id (hex in logs only). */
  readonly nodeId: Uint8Array;
  /** Our chain (the first of the backend's `networks`): gossip and queries for others are refused. */
  readonly chainHash: Uint8Array;
  /** The peer's `init` features (BOLT 9): `gossip_queries`, `gossip_queries_ex`. */
  readonly remoteFeatures: Features;
  /** The backend asked for our own initial sync with this peer (`InitializeConnection.doSync`). */
  readonly doSync: boolean;
  /** Writes one message; false when the socket buffer is above its high-water mark (wait for drain). */
  send(message: Uint8Array): boolean;
  /** Calls `resume` once after the socket buffer drains. */
  onDrain(resume: () => void): void;
  /** Stops / restarts reading the peer's socket (gossip back-pressure towards the backend). */
  pauseReading(): void;
  resumeReading(): void;
  readonly isOpen: boolean;
}

/** Options of the {@link FrontendRouter}; durations in milliseconds. */
export interface FrontendRouterOptions {
  /** `router.broadcast-interval`: each connection's rebroadcast flush period (BOLT 7: 60 s). */
  broadcastIntervalMs?: number;
  /** How long a forwarded gossip message waits for the backend's verdict (default 30 s). */
  forwardTimeoutMs?: number;
  /** In-flight forwards above which the sending peer's socket is paused (default 5000). */
  maxInFlight?: number;
  /** A subscription that streams nothing for this long is retried (default 15 s). */
  snapshotTimeoutMs?: number;
  /** How often registration/timeouts are re-checked (default 200). */
  checkIntervalMs?: number;
  /** Minimum time between two progress reports of one sync (default 1 s). */
  syncReportIntervalMs?: number;
  /** Our `gossip_timestamp_filter` after a sync starts this far before the sync began (default 10 min). */
  filterMarginSeconds?: number;
  /** Messages queued per connection beyond which rebroadcast batches are dropped (default 100 000). */
  maxQueuedPerPeer?: number;
  /** Penalty box: how long a repeat offender's gossip is ignored (default 10 min). */
  ignoreMs?: number;
}

/** The options with their defaults applied. */
export type ResolvedRouterOptions = Required<FrontendRouterOptions>;

export function resolveRouterOptions(o: FrontendRouterOptions = {}): ResolvedRouterOptions {
  return {
    broadcastIntervalMs: o.broadcastIntervalMs ?? 60_000,
    forwardTimeoutMs: o.forwardTimeoutMs ?? 30_000,
    maxInFlight: o.maxInFlight ?? 5000,
    snapshotTimeoutMs: o.snapshotTimeoutMs ?? 15_000,
    checkIntervalMs: o.checkIntervalMs ?? 200,
    syncReportIntervalMs: o.syncReportIntervalMs ?? 1000,
    filterMarginSeconds: o.filterMarginSeconds ?? 600,
    maxQueuedPerPeer: o.maxQueuedPerPeer ?? 100_000,
    ignoreMs: o.ignoreMs ?? 600_000,
  };
}

/** BOLT 1 message type of `raw` (-1 when too short). */
export function typeOf(raw: Uint8Array): number {
  return raw.length < 2 ? -1 : (raw[0]! << 8) | raw[1]!;
}
