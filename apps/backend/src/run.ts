import { join, resolve } from 'node:path';
import { type ChainSource, GENESIS_HASH_DISPLAY, hashFromDisplay, type RegtestChain } from '@shoal/chain';
import { loadClusterTls } from '@shoal/cluster';
import { type backendSchema, ConfigError, type ConfigOf, type HostPort } from '@shoal/config';
import { ensureNodeSeed, KeyRing } from '@shoal/identity';
import type { Logger } from '@shoal/log';
import { createMetricsRegistry } from '@shoal/metrics';
import { openPostgresStore, openSqliteStore, type Store } from '@shoal/store';
import type { Wallet } from '@shoal/wallet';
import { parseAddress } from '@shoal/wire';
import { Backend } from './backend.js';
import { openChainSource, startWallet, tipHeight } from './chain.js';
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
  stop(): Promise<void>;
}

/** SQLite database file inside the datadir. */
export const SQLITE_FILE = 'shoal.sqlite';

const hostPortText = (h: HostPort): string =>
  h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;

async function openStore(config: BackendConfig): Promise<Store> {
  if (config.db.driver === 'sqlite') return openSqliteStore({ path: join(config.datadir, SQLITE_FILE) });
  const pg = config.db.postgres;
  const auth = `${encodeURIComponent(pg.username)}${pg.password === null ? '' : `:${encodeURIComponent(pg.password)}`}`;
  const query = pg.ssl ? '?sslmode=require' : '';
  return openPostgresStore({
    url: pg.hosts.map(
      (h) => `postgres://${auth}@${hostPortText(h)}/${encodeURIComponent(pg.database)}${query}`,
    ),
    poolSize: pg['pool-size'],
    connectTimeoutMs: pg['connect-timeout'],
  });
}

/**
 * Starts the backend from its configuration: node seed and key, cluster TLS, store, chain
 * source, on-chain wallet, cluster member, switchboard and API. Throws `ConfigError`,
 * `ClusterError` (TLS), `IdentityError`, `StoreError`, `ChainError` (bitcoind unreachable, wrong
 * credentials or network), `WalletError` or `BackendError`; whatever it started is stopped first.
 */
export async function runBackend(config: BackendConfig, logger: Logger): Promise<RunningBackend> {
  const datadir = config.datadir;
  const password = config.cluster.tls.password;
  if (password === null) {
    throw ConfigError.of(
      'CONFIG_MISSING',
      'is required to open the cluster keystore (set CLUSTER_TLS_PASSWORD or AKKA_TLS_PASSWORD)',
      { key: 'cluster.tls.password' },
    );
  }
  const tls = loadClusterTls({ path: resolve(datadir, config.cluster.tls.file), password });
  const seed = await ensureNodeSeed(datadir);
  const keyRing = KeyRing.fromSeed(seed, config.chain);
  const nodeKey = keyRing.nodeKey();
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const store = await openStore(config);
    cleanups.push(() => store.close());
    const opened = await openChainSource(config, logger);
    const { chain, regtest } = opened;
    cleanups.push(() => chain.stop());
    const wallet = await startWallet({ chain, keyRing, logger }, datadir);
    cleanups.push(() => wallet.stop());
    const blockHeight = tipHeight(chain, logger);
    const registry = config.metrics.enabled
      ? createMetricsRegistry({ labels: { role: 'backend' } })
      : undefined;
    const host = config.cluster.host;
    const port = config.cluster.port;
    const seeds = config.cluster['seed-nodes'].map(hostPortText);
    const backend = new Backend(
      {
        logger,
        store,
        blockHeight,
        extraCalls: walletCalls(wallet, regtest),
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
          // The backend is the first seed: it forms the cluster on its own.
          seedNodes: seeds.length > 0 ? seeds : port === 0 ? [] : [hostPortText({ host, port })],
          tls,
          roles: [...config.cluster.roles],
          failureDetectorThresholdMs: config.cluster['failure-detector'].threshold,
          heartbeatIntervalMs: config.cluster['failure-detector']['heartbeat-interval'],
          downAfterMs: config.cluster['down-after'],
        },
        ...(config.api.enabled && config.api.password !== null
          ? { api: { host: config.api['binding-ip'], port: config.api.port, password: config.api.password } }
          : {}),
        reconnect: {
          enabled: config.peer.reconnect.enabled,
          initialDelayMs: config.peer.reconnect['initial-delay'],
          maxDelayMs: config.peer.reconnect['max-delay'],
        },
      },
    );
    await backend.start();
    cleanups.push(() => backend.stop());
    return { backend, chainSource: opened.description, chain, regtest, wallet, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
