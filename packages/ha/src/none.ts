import { hostname } from 'node:os';
import { HaError } from './errors.js';
import { LocalLeadership } from './leadership.js';
import { HaMetrics } from './metrics.js';
import type { ElectorDeps, LeaderElector, LeaderInfo, LeaderObserver, Leadership } from './types.js';

/** Options of the `none` elector (`cluster.leader-elector = none`: a single backend). */
export interface NoneElectorOptions {
  /** This backend's name (default: the host name). */
  candidateId?: string;
  /**
   * The epoch recorded in the store (e.g. `() => store.databaseEpoch()`); the leadership's epoch
   * is one more, so each start claims a new, greater epoch. Default: epoch 1.
   */
  currentEpoch?: () => Promise<bigint>;
  advertise?: string;
}

/**
 * No election: this process always leads (SQLite's exclusive file lock or the operator keeps it
 * single). Leadership ends only on `resign()`, `abandon()` or `stop()`.
 */
export class NoneElector implements LeaderElector {
  readonly kind = 'none';
  readonly #opts: NoneElectorOptions;
  readonly #metrics: HaMetrics;
  readonly #now: () => number;
  #leadership: LocalLeadership | undefined;
  #leader: LeaderInfo | undefined;
  readonly #listeners = new Set<(leader: LeaderInfo | undefined) => void>();
  #stopped = false;

  constructor(deps: ElectorDeps, options: NoneElectorOptions = {}) {
    this.#opts = options;
    this.#metrics = new HaMetrics(deps.metrics);
    this.#now = deps.now ?? (() => performance.now());
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#leadership?.abandon(new HaError('HA_STOPPED', 'leader elector stopped'));
  }

  async campaign(signal?: AbortSignal): Promise<Leadership> {
    signal?.throwIfAborted();
    if (this.#stopped) throw new HaError('HA_STOPPED', 'leader elector stopped');
    if (this.#leadership?.isLeader()) {
      throw new HaError('HA_BAD_OPTIONS', 'already leading: the none elector has one leadership at a time');
    }
    const started = this.#now();
    const epoch = ((await this.#opts.currentEpoch?.()) ?? 0n) + 1n;
    const id = this.#opts.candidateId ?? hostname();
    const leadership = new LocalLeadership(id, epoch, this.#now() - started, Number.POSITIVE_INFINITY, {
      now: this.#now,
      onEnd: () => {
        this.#metrics.lost();
        this.#set(undefined);
      },
      resign: async () => {},
    });
    this.#leadership = leadership;
    this.#metrics.elected(epoch, leadership.takeoverMs);
    this.#set({ id, epoch, advertise: this.#opts.advertise });
    return leadership;
  }

  async observe(): Promise<LeaderObserver> {
    const listeners = this.#listeners;
    const mine = new Set<(leader: LeaderInfo | undefined) => void>();
    const self = this;
    return {
      get current() {
        return self.#leader;
      },
      onChange(listener) {
        listeners.add(listener);
        mine.add(listener);
        return () => {
          listeners.delete(listener);
          mine.delete(listener);
        };
      },
      async close() {
        for (const l of mine) listeners.delete(l);
      },
    };
  }

  #set(leader: LeaderInfo | undefined): void {
    this.#leader = leader;
    for (const l of this.#listeners) l(leader);
  }
}
