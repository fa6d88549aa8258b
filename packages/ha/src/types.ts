import type { Logger } from '@shoal/log';
import type { Registry } from '@shoal/metrics';
import type { HaError } from './errors.js';

/** Which implementation a {@link LeaderElector} is (`cluster.leader-elector`). */
export type ElectorKind = 'none' | 'etcd';

/** The current leader as seen by anyone (followers, the `cluster` API). */
export interface LeaderInfo {
  /** The candidate id of the leader (`candidateId`, default the host name). */
  readonly id: string;
  /** Its fencing epoch: the etcd create revision of its election key. */
  readonly epoch: bigint;
  /** What the leader advertises (e.g. its API URL), if anything. */
  readonly advertise: string | undefined;
}

/**
 * Leadership won by {@link LeaderElector.campaign}. It ends when {@link Leadership.signal} aborts;
 * `signal.reason` is the {@link HaError} saying why (lease expired locally, lease lost, key
 * deleted, resigned, fenced by the store, elector stopped).
 */
export interface Leadership {
  readonly epoch: bigint;
  readonly id: string;
  /** Aborted, at once and only once, when leadership ends; its `reason` is a {@link HaError}. */
  readonly signal: AbortSignal;
  /** Milliseconds from the previous leader's disappearance (or campaign start) to our election. */
  readonly takeoverMs: number;
  /**
   * Synchronous check, to be made right before any side effect: true while the local lease
   * deadline has not passed and leadership was not lost. Passing the deadline ends leadership here
   * (the signal aborts before this returns), so a process resumed after a freeze sees the loss
   * before it can act.
   */
  isLeader(): boolean;
  /** Throws the loss reason (or `HA_NOT_LEADER`) unless {@link Leadership.isLeader}. */
  assertLeader(): void;
  /** Ends leadership with `reason` (e.g. a `HA_FENCED` error from the store). Idempotent. */
  abandon(reason: HaError): void;
  /** Gives leadership up and lets a follower take over at once (revokes the etcd lease). */
  resign(): Promise<void>;
}

/** Watches who leads; for followers (`/v1/state`) and the `cluster` API. */
export interface LeaderObserver {
  /** The leader now, as last seen (undefined when there is none or it is not known yet). */
  readonly current: LeaderInfo | undefined;
  /** Calls `listener` on each change; returns a function removing it. */
  onChange(listener: (leader: LeaderInfo | undefined) => void): () => void;
  close(): Promise<void>;
}

/** Elects one active backend. `start()` before use; `stop()` ends any leadership (`HA_STOPPED`). */
export interface LeaderElector {
  readonly kind: ElectorKind;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Resolves once we lead. Retries transient etcd failures until `signal` aborts or the elector
   * stops (then rejects with `HA_STOPPED` or the signal's reason).
   */
  campaign(signal?: AbortSignal): Promise<Leadership>;
  /** Starts watching the leader. */
  observe(): Promise<LeaderObserver>;
}

/** What an elector is given (js-libp2p style `(deps, options)`). */
export interface ElectorDeps {
  logger?: Logger;
  /** prom-client registry for the `shoal_leader*` metrics. */
  metrics?: Registry;
  /** Monotonic milliseconds (default `performance.now`); tests may pass their own. */
  now?: () => number;
}
