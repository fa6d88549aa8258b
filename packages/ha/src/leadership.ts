import { HaError } from './errors.js';
import type { Leadership } from './types.js';

/** What a {@link LocalLeadership} needs from its elector. */
export interface LeadershipHooks {
  now: () => number;
  /** Called once when leadership ends (release the lease, update metrics, log). */
  onEnd: (reason: HaError) => void;
  /** Gives leadership up on the server (revoke the lease). */
  resign: () => Promise<void>;
}

/**
 * Leadership bounded by a local deadline: it ends when `now()` reaches the deadline unless
 * {@link LocalLeadership.extend} moved it on. The timer ends it promptly while the event loop
 * runs; {@link LocalLeadership.isLeader} ends it synchronously when the timer is late (a process
 * resumed after SIGSTOP runs its first callback after the deadline has passed).
 */
export class LocalLeadership implements Leadership {
  readonly epoch: bigint;
  readonly id: string;
  readonly takeoverMs: number;
  readonly #controller = new AbortController();
  readonly #hooks: LeadershipHooks;
  #deadline: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(id: string, epoch: bigint, takeoverMs: number, deadline: number, hooks: LeadershipHooks) {
    this.id = id;
    this.epoch = epoch;
    this.takeoverMs = takeoverMs;
    this.#deadline = deadline;
    this.#hooks = hooks;
    this.#arm();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The local deadline (monotonic ms) past which we no longer lead. */
  get deadline(): number {
    return this.#deadline;
  }

  /** Moves the deadline later (never earlier); ends leadership if it has already passed. */
  extend(deadline: number): void {
    if (!this.isLeader()) return;
    if (deadline <= this.#deadline) return;
    this.#deadline = deadline;
    this.#arm();
  }

  isLeader(): boolean {
    if (this.#controller.signal.aborted) return false;
    const now = this.#hooks.now();
    if (now >= this.#deadline) {
      this.abandon(
        new HaError(
          'HA_LEASE_EXPIRED',
          `no etcd keep-alive acknowledged in time: stepping down ${Math.round(now - this.#deadline)} ms after the local lease deadline`,
          { epoch: this.epoch.toString(), lateMs: Math.round(now - this.#deadline) },
        ),
      );
      return false;
    }
    return true;
  }

  assertLeader(): void {
    if (this.isLeader()) return;
    const reason: unknown = this.#controller.signal.reason;
    throw reason instanceof HaError
      ? reason
      : new HaError('HA_NOT_LEADER', 'not the leader', { epoch: this.epoch.toString() });
  }

  abandon(reason: HaError): void {
    if (this.#controller.signal.aborted) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // onEnd first (it stops keep-alives), then listeners of the signal run synchronously.
    this.#hooks.onEnd(reason);
    this.#controller.abort(reason);
  }

  async resign(): Promise<void> {
    if (this.#controller.signal.aborted) return;
    this.abandon(new HaError('HA_RESIGNED', 'resigned', { epoch: this.epoch.toString() }));
    await this.#hooks.resign();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (!Number.isFinite(this.#deadline)) return; // the none elector: no lease, no deadline
    const delay = Math.max(1, this.#deadline - this.#hooks.now());
    this.#timer = setTimeout(() => {
      if (this.isLeader()) this.#arm(); // fired early: wait again
    }, delay);
  }
}
