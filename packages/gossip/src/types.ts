/** The output a `short_channel_id` points at, as the chain source sees it. */
export interface FundingOutput {
  /** The output's scriptPubKey. */
  script: Uint8Array;
  amountSat: bigint;
  spent: boolean;
}

/** Narrow chain access the validator needs (the backend implements it over the chain source). */
export interface FundingOutputLookup {
  /** BOLT 7: the output behind `scid`, undefined when there is none (no block, tx or output). */
  lookup(scid: bigint): Promise<FundingOutput | undefined>;
}

/** Wall clock in milliseconds since the epoch (injected so tests control time). */
export interface Clock {
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Minimal structured logger injected into components. */
export interface GossipLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Why a channel left the graph. */
export type ChannelRemovalReason = 'spent' | 'stale' | 'blacklisted';

/**
 * One change to the routing graph. Deltas are plain data (bytes and numbers) so they can be
 * published to frontends, persisted, and replayed: a snapshot is a sequence of them too.
 * Messages travel as their raw wire bytes (type included), the form peers receive.
 */
export type GraphDelta =
  | { kind: 'channel_added'; scid: bigint; announcement: Uint8Array; capacitySat: bigint }
  | { kind: 'channel_updated'; scid: bigint; direction: 0 | 1; update: Uint8Array }
  | { kind: 'channel_spent'; scid: bigint; height: number }
  | { kind: 'channel_removed'; scid: bigint; reason: ChannelRemovalReason }
  | { kind: 'node_added'; nodeId: Uint8Array }
  | { kind: 'node_updated'; nodeId: Uint8Array; announcement: Uint8Array }
  | { kind: 'node_removed'; nodeId: Uint8Array };

/** Where the backend keeps the graph (implemented over the store by the backend). */
export interface GraphPersistence {
  /** Replays the saved graph as batches of deltas, in the order they were saved. */
  load(): AsyncIterable<readonly GraphDelta[]>;
  /** Saves deltas atomically, in order. */
  save(deltas: readonly GraphDelta[]): Promise<void>;
}
