import { createLeaderElector, type LeaderElector, type LeaderObserver, type Leadership } from '@shoal/ha';
import type { Logger } from '@shoal/log';
import type { Registry } from '@shoal/metrics';
import { errorMessage } from '../errors.js';
import type { BackendConfig } from '../run.js';
import { describeLeader, electorOptions } from './elector-options.js';
import type { Handover, Standby } from './standby.js';

/** Collaborators of a {@link Follower}. */
export interface FollowerDeps {
  logger: Logger;
  registry?: Registry;
  /** The waiting API and mesh member, already started. */
  standby?: Standby;
}

/**
 * A backend before it leads: the elector (metrics `shoal_leader*` on the backend's registry), an
 * observer naming the leader in the standby API's answers and in the log, and the campaign.
 */
export class Follower {
  readonly elector: LeaderElector;
  private observer: LeaderObserver | undefined;
  private watching: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private readonly watchStop = new AbortController();

  constructor(
    private readonly deps: FollowerDeps,
    config: BackendConfig,
    advertise: string,
  ) {
    this.elector = createLeaderElector(
      {
        logger: deps.logger.child({ component: 'ha' }),
        ...(deps.registry === undefined ? {} : { metrics: deps.registry }),
      },
      electorOptions(config, advertise),
    );
  }

  /**
   * Starts the elector and watches the leader in the background (the standby is started by the
   * caller, first). etcd unreachable is not fatal: the watch is retried every second (logged) and
   * the campaign retries on its own, so a follower started before etcd waits instead of exiting.
   */
  async start(): Promise<void> {
    await this.elector.start();
    this.watching = this.watchLeader(this.watchStop.signal);
  }

  /** Resolves once elected; rejects with `HA_STOPPED` when {@link Follower.stop} is called first. */
  async campaign(): Promise<Leadership> {
    try {
      return await this.elector.campaign(this.stopping.signal);
    } finally {
      await this.stopWatching();
    }
  }

  /** What the leading backend takes over from the standby (ports, known members, release). */
  handOver(): Handover | undefined {
    return this.deps.standby?.handOver();
  }

  /** Ends the campaign and the standby; `elector.stop()` (ending any leadership) is the caller's. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.stopWatching();
    await this.deps.standby?.stop();
  }

  private async stopWatching(): Promise<void> {
    this.watchStop.abort();
    await this.watching;
    await this.observer?.close();
    this.observer = undefined;
  }

  /** Observes the leader until `signal` aborts, retrying every second while etcd does not answer. */
  private async watchLeader(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const observer = await this.elector.observe();
        this.observer = observer;
        const show = (): void => {
          const leader = describeLeader(observer.current);
          this.deps.standby?.setLeader(leader);
          this.deps.logger.info('leader seen', { leader: leader ?? null });
        };
        observer.onChange(show);
        show();
        return;
      } catch (err) {
        this.deps.logger.warn('cannot watch the leader on etcd; retrying in 1 s', {
          error: errorMessage(err),
        });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
      }
    }
  }
}
