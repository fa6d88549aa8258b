import { join, resolve } from 'node:path';
import { type ChainSource, GENESIS_HASH_DISPLAY, hashFromDisplay, type RegtestChain } from '@shoal/chain';
import { type ClusterTls, loadClusterTls } from '@shoal/cluster';
import { type backendSchema, ConfigError, type ConfigOf, type HostPort } from '@shoal/config';
import { fenceStore, HaMetrics, type Leadership } from '@shoal/ha';
import { ensureNodeSeed, KeyRing } from '@shoal/identity';
import type { Logger } from '@shoal/log';
import {
  createMetricsRegistry,
  metric,
  type Registry,
  STORE_ERRORS_TOTAL,
  STORE_TRANSACTION_SECONDS,
} from '@shoal/metrics';
import { openPostgresStore, openSqliteStore, type Store, type StoreMetrics } from '@shoal/store';
import type { Wallet } from '@shoal/wallet';
import { parseAddress } from '@shoal/wire';
import { Backend } from './backend.js';
import { openChainSource, startWallet, tipHeight } from './chain.js';
import { candidateId } from './ha/elector-options.js';
import type { Handover } from './ha/standby.js';
import { walletCalls } from './wallet-calls.js';

/** The backend's loaded configuration. */
export type BackendConfig = ConfigOf<(typeof backendSchema)['settings']>;

/** A started backend process and how to stop everything it started. */
export interface RunningBackend {
  backend: Backend;
  /** The chain source: `embedded-regtest` or the configured bitcoind's URL (without credentials). */
  chainSource: string;
  chain: ChainSource;
  /** The embedded regtest chain, when it is the chain source. */
  regtest: RegtestChain | undefined;
  wallet: Wallet;
  /** The store's fencing epoch (the leadership's with etcd). */
  epoch: bigint;
  stop(): Promise<void>;
}

/** How this process came to lead (`cluster.leader-elector = etcd`); absent with `none`. */
export interface RunOptions {
  /** The backend's registry (created here when absent and `metrics.enabled`). */
  registry?: Registry;
  /** The won leadership: the store claims its epoch and every write checks it (`fenceStore`). */
  leadership?: Leadership;
  /** From the follower: API and mesh ports to reuse, mesh members to dial at once. */
  handover?: Handover;
  /** Opened while following (see {@link prepareBackend}); stopped with the backend. */
  prepared?: Prepared;
}

/**
 * What a backend opens before it may write: cluster TLS, node seed and keys, chain source and
 * on-chain wallet (its state is in the datadir, never in the shared store). A follower opens these
 * while it waits, so a takeover does not wait for them (a wallet rescan can be long).
 */
export interface Prepared {
  tls: ClusterTls;
  keyRing: KeyRing;
  chain: ChainSource;
  regtest: RegtestChain | undefined;
  wallet: Wallet;
  /** `embedded-regtest` or the bitcoind URL without credentials. */
  chainSource: string;
  /** Stops the wallet and the chain source; idempotent. */
  stop(): Promise<void>;
}

/** Opens the {@link Prepared} part; whatever it started is stopped on failure. */
export async function prepareBackend(config: BackendConfig, logger: Logger): Promise<Prepared> {
  const tls = clusterTlsOf(config);
  const seed = await ensureNodeSeed(config.datadir);
  const keyRing = KeyRing.fromSeed(seed, config.chain);
  const opened = await openChainSource(config, logger);
  let wallet: Wallet;
  try {
    wallet = await startWallet({ chain: opened.chain, keyRing, logger }, config.datadir);
  } catch (err) {
    await opened.chain.stop();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    tls,
    keyRing,
    chain: opened.chain,
    regtest: opened.regtest,
    wallet,
    chainSource: opened.description,
    stop() {
      stopped ??= (async () => {
        await wallet.stop();
        await opened.chain.stop();
      })();
      return stopped;
    },
  };
}

/** `shoal_store_transaction_seconds{op}` and `shoal_store_errors_total{op}` from the store's timings. */
export function storeMetrics(registry: Registry): StoreMetrics {
  const seconds = metric(registry, STORE_TRANSACTION_SECONDS);
  const errors = metric(registry, STORE_ERRORS_TOTAL);
  return {
    transaction(kind, s, outcome) {
      seconds.observe({ op: kind }, s);
      if (outcome !== 'ok') errors.inc({ op: kind });
    },
  };
}

/** SQLite database file inside the datadir. */
export const SQLITE_FILE = 'shoal.sqlite';

const hostPortText = (h: HostPort): string =>
  h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;

async function openStore(
  config: BackendConfig,
  metrics: StoreMetrics | undefined,
  epoch: bigint | undefined,
): Promise<Store> {
  const common = { ...(metrics === undefined ? {} : { metrics }), ...(epoch === undefined ? {} : { epoch }) };
  if (config.db.driver === 'sqlite') {
    return openSqliteStore({ path: join(config.datadir, SQLITE_FILE), ...common });
  }
  const pg = config.db.postgres;
  const auth = `${encodeURIComponent(pg.username)}${pg.password === null ? '' : `:${encodeURIComponent(pg.password)}`}`;
  const query = pg.ssl ? '?sslmode=require' : '';
  return openPostgresStore({
    url: pg.hosts.map(
      (h) => `postgres://${auth}@${hostPortText(h)}/${encodeURIComponent(pg.database)}${query}`,
    ),
    poolSize: pg['pool-size'],
    connectTimeoutMs: pg['connect-timeout'],
    ...common,
  });
}

/** The cluster keystore (`cluster.tls.file`, `cluster.tls.password`); ConfigError/ClusterError. */
export function clusterTlsOf(config: BackendConfig): ClusterTls {
  const password = config.cluster.tls.password;
  if (password === null) {
    throw ConfigError.of(
      'CONFIG_MISSING',
      'is required to open the cluster keystore (set CLUSTER_TLS_PASSWORD or AKKA_TLS_PASSWORD)',
      { key: 'cluster.tls.password' },
    );
  }
  return loadClusterTls({ path: resolve(config.datadir, config.cluster.tls.file), password });
}

/**
 * Starts the backend from its configuration: node seed and key, cluster TLS, chain source and
 * on-chain wallet (unless `run.prepared`), store, cluster member, switchboard and API. Throws `ConfigError`,
 * `ClusterError` (TLS), `IdentityError`, `StoreError`, `ChainError` (bitcoind unreachable, wrong
 * credentials or network), `WalletError` or `BackendError`; whatever it started is stopped first.
 */
export async function runBackend(
  config: BackendConfig,
  logger: Logger,
  run: RunOptions = {},
): Promise<RunningBackend> {
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c();
  };
  const prepared = run.prepared ?? (await prepareBackend(config, logger));
  cleanups.push(() => prepared.stop());
  const { tls, keyRing, chain, regtest, wallet } = prepared;
  const nodeKey = keyRing.nodeKey();
  try {
    const registry =
      run.registry ??
      (config.metrics.enabled ? createMetricsRegistry({ labels: { role: 'backend' } }) : undefined);
    const { leadership, handover } = run;
    const raw = await openStore(
      config,
      registry === undefined ? undefined : storeMetrics(registry),
      leadership?.epoch,
    );
    cleanups.push(() => raw.close());
    // A leader's every write first checks it still leads, and a newer epoch in the database ends it.
    const store = leadership === undefined ? raw : fenceStore(raw, leadership);
    // With `none` this process always leads: shoal_leader 1 and the store's epoch.
    if (leadership === undefined) new HaMetrics(registry).elected(store.epoch, 0);
    const blockHeight = tipHeight(chain, logger);
    const host = config.cluster.host;
    const port = handover?.clusterPort ?? config.cluster.port;
    const seeds = backendSeeds(config, port, handover);
    const backend = new Backend(
      {
        logger,
        store,
        blockHeight,
        extraCalls: walletCalls(wallet, regtest),
        chain,
        nodeKey: nodeKey.privateKey,
        leader: {
          id: leadership?.id ?? candidateId(config),
          epoch: store.epoch,
          elector: config.cluster['leader-elector'],
        },
        ...(registry === undefined ? {} : { registry }),
      },
      {
        nodeId: nodeKey.publicKey,
        alias: config['node-alias'],
        color: config['node-color'],
        network: config.chain,
        chainHash: hashFromDisplay(GENESIS_HASH_DISPLAY[config.chain]),
        publicAddresses: config.server['public-ips'].map((h) => parseAddress(hostPortText(h))),
        cluster: {
          host,
          port,
          seedNodes: seeds,
          tls,
          roles: [...config.cluster.roles],
          failureDetectorThresholdMs: config.cluster['failure-detector'].threshold,
          heartbeatIntervalMs: config.cluster['failure-detector']['heartbeat-interval'],
          downAfterMs: config.cluster['down-after'],
        },
        ...(config.api.enabled && config.api.password !== null
          ? {
              api: {
                host: config.api['binding-ip'],
                // The follower's API port (the same one when configured; the picked one with 0).
                port: handover === undefined || handover.apiPort === 0 ? config.api.port : handover.apiPort,
                password: config.api.password,
              },
            }
          : {}),
        reconnect: {
          enabled: config.peer.reconnect.enabled,
          initialDelayMs: config.peer.reconnect['initial-delay'],
          maxDelayMs: config.peer.reconnect['max-delay'],
        },
      },
    );
    // Checked once more right before joining the mesh as the backend: a leadership lost while
    // opening the store and the chain must not register the switchboard even briefly.
    leadership?.assertLeader();
    await handover?.release();
    await backend.start();
    cleanups.push(() => backend.stop());
    return {
      backend,
      chainSource: prepared.chainSource,
      chain,
      regtest,
      wallet,
      epoch: store.epoch,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The backend's mesh seeds: itself first (so it forms the cluster alone when no frontend is up:
 * the first seed is up on its own), then `cluster.seed-nodes` (every backend and frontend) and the
 * members its follower knew. With HA, a frontend lists every backend; the leader must reach the
 * frontends at once rather than wait for their re-dial back-off.
 */
export function backendSeeds(config: BackendConfig, port: number, handover: Handover | undefined): string[] {
  const configured = config.cluster['seed-nodes'].map(hostPortText);
  if (port === 0) return configured; // a test picking a free port: no own address known yet
  const self = hostPortText({ host: config.cluster.host, port });
  if (config.cluster['leader-elector'] === 'none' && configured.length > 0) return configured;
  return [...new Set([self, ...configured, ...(handover?.members ?? [])])];
}
