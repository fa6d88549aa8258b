import { HaError, type Leadership } from '@shoal/ha';
import type { Logger } from '@shoal/log';
import { createMetricsRegistry } from '@shoal/metrics';
import {
  type BackendConfig,
  clusterTlsOf,
  type Prepared,
  prepareBackend,
  type RunningBackend,
  runBackend,
} from '../run.js';
import { candidateId } from './elector-options.js';
import { Follower } from './follower.js';
import { Standby } from './standby.js';

/**
 * Exit code of a backend that stopped leading (EX_TEMPFAIL): the lease expired or was lost, the
 * election key was deleted, or the store refused a write under a newer epoch. The process stops
 * at once, without a graceful stop; a supervisor (systemd `Restart=always`) starts it again as a
 * follower.
 */
export const EXIT_LEADERSHIP_LOST = 75;

/** Told when leadership ends while the node is not stopping (`reason`: the HaError). */
export interface NodeHooks {
  onLeadershipLost(reason: unknown): void;
}

/** A backend process: following until elected (etcd), then leading. */
export interface NodeHandle {
  /** Resolves once this process leads and its backend runs; rejects on a start failure or stop. */
  readonly running: Promise<RunningBackend>;
  /** Stops whatever runs, then resigns (a follower takes over at once) and stops the elector. */
  stop(): Promise<void>;
}

/**
 * Starts the backend as `cluster.leader-elector` says. `none`: at once, as a single backend.
 * `etcd`: the standby (API answering `WAITING_TO_START`, mesh role `standby`), the chain source
 * and wallet ({@link prepareBackend}), then the campaign; once elected, the standby hands its
 * ports and known members to the backend, whose store claims the leadership's epoch. Log lines:
 * `backend following`, `leader seen`, `backend elected leader`.
 */
export function startNode(config: BackendConfig, logger: Logger, hooks: NodeHooks): NodeHandle {
  const registry = config.metrics.enabled
    ? createMetricsRegistry({ labels: { role: 'backend' } })
    : undefined;
  if (config.cluster['leader-elector'] === 'none') {
    const running = runBackend(config, logger, registry === undefined ? {} : { registry });
    return {
      running,
      async stop() {
        const r = await running.catch(() => undefined); // a failed start is reported by `running`
        await r?.stop();
      },
    };
  }
  let stopping = false;
  let follower: Follower | undefined;
  let leadership: Leadership | undefined;
  let prepared: Prepared | undefined;
  let standby: Standby | undefined;
  /** A stop during the start-up ends it at the next step (the campaign is aborted by the follower). */
  const halt = (): void => {
    if (stopping) throw new HaError('HA_STOPPED', 'the backend is stopping');
  };
  const running = (async () => {
    const c = config.cluster;
    standby = new Standby(
      { logger, tls: clusterTlsOf(config), ...(registry === undefined ? {} : { registry }) },
      {
        ...(config.api.enabled && config.api.password !== null
          ? { api: { host: config.api['binding-ip'], port: config.api.port, password: config.api.password } }
          : {}),
        cluster: {
          host: c.host,
          port: c.port,
          seedNodes: c['seed-nodes'].map((h) =>
            h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`,
          ),
          failureDetectorThresholdMs: c['failure-detector'].threshold,
          heartbeatIntervalMs: c['failure-detector']['heartbeat-interval'],
          downAfterMs: c['down-after'],
        },
      },
    );
    await standby.start();
    halt();
    const f = new Follower(
      { logger, standby, ...(registry === undefined ? {} : { registry }) },
      config,
      standby.clusterAddress,
    );
    follower = f;
    try {
      await f.start();
    } catch (err) {
      await standby.stop();
      throw err;
    }
    // Chain source and wallet now, while following: a takeover then only opens the store.
    prepared = await prepareBackend(config, logger);
    halt();
    logger.info('backend following', {
      candidate: candidateId(config),
      apiPort: standby.apiPort,
      clusterAddress: standby.clusterAddress,
      ttlSeconds: Math.ceil(c['leader-session-ttl'] / 1000),
    });
    const won = await f.campaign();
    leadership = won;
    const lost = (): void => {
      if (!stopping) hooks.onLeadershipLost(won.signal.reason);
    };
    if (won.signal.aborted) lost();
    else won.signal.addEventListener('abort', lost, { once: true });
    logger.info('backend elected leader', {
      candidate: won.id,
      epoch: won.epoch.toString(),
      takeoverMs: Math.round(won.takeoverMs),
    });
    const handover = f.handOver();
    return runBackend(config, logger, {
      leadership: won,
      prepared,
      ...(registry === undefined ? {} : { registry }),
      ...(handover === undefined ? {} : { handover }),
    });
  })();
  return {
    running,
    async stop() {
      stopping = true;
      await follower?.stop();
      await standby?.stop(); // idempotent; the follower stops it too once it exists
      const r = await running.catch(() => undefined); // a failed start is reported by `running`
      await r?.stop();
      await prepared?.stop(); // when stopped before leading (idempotent)
      // After the backend stopped writing: let a follower take over now, not a TTL later.
      await leadership?.resign().catch((err: unknown) => logger.warn('resign failed', { err }));
      await follower?.elector.stop();
    },
  };
}
