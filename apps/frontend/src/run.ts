import { resolve } from 'node:path';
import { ClusterError, type ClusterTls, loadClusterTls } from '@shoal/cluster';
import { ConfigError, type ConfigOf, frontendSchema, loadConfig } from '@shoal/config';
import { IdentityError, type LoadNodeKeyOptions, loadNodeKey, type NodeKey } from '@shoal/identity';
import { createLogger, type Logger } from '@shoal/log';
import { createMetricsRegistry, type Registry } from '@shoal/metrics';
import { errorMessage, FrontendError } from './errors.js';
import { Frontend } from './frontend.js';
import { FrontendMetrics } from './metrics.js';

/** The frontend's loaded configuration. */
export type FrontendConfig = ConfigOf<typeof frontendSchema.settings>;

/** Exit code of a start refused for a configuration, identity or TLS problem. */
export const EXIT_CONFIG = 2;

/** Where the program runs; the defaults are the real process. */
export interface RunEnvironment {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** One line per start failure. */
  stderr: (line: string) => void;
  /** Resolves when the program must stop (SIGTERM/SIGINT). */
  stopSignal: Promise<string>;
}

/** Errors that mean "this start cannot work as configured": one clear line and exit code 2. */
function isStartError(err: unknown): err is ConfigError | IdentityError | ClusterError | FrontendError {
  return (
    err instanceof ConfigError ||
    err instanceof IdentityError ||
    err instanceof ClusterError ||
    err instanceof FrontendError
  );
}

function keyOptions(config: FrontendConfig, env: RunEnvironment['env']): LoadNodeKeyOptions {
  const front = config.front;
  const expectedPubKey = front['pub-key'] ?? '';
  switch (front['priv-key-provider']) {
    case 'seed':
      return { provider: 'seed', datadir: config.datadir, chain: config.chain, expectedPubKey };
    case 'env':
      return { provider: 'env', privKey: front['priv-key'], env, expectedPubKey };
    case 'aws-sm': {
      const sm = front['aws-sm'];
      return {
        provider: 'aws-sm',
        secretId: sm['secret-id'],
        ...(sm.region === null ? {} : { region: sm.region }),
        ...(sm.endpoint === null ? {} : { endpoint: sm.endpoint }),
        expectedPubKey,
      };
    }
  }
}

function clusterTls(config: FrontendConfig): ClusterTls {
  const password = config.cluster.tls.password;
  if (password === null || password === '') {
    throw new ClusterError(
      'CLUSTER_TLS_NO_PASSWORD',
      'cluster.tls.password is not set: set CLUSTER_TLS_PASSWORD (or AKKA_TLS_PASSWORD)',
    );
  }
  return loadClusterTls({ path: keystorePath(config), password });
}

/** The keystore path: `cluster.tls.file`, relative to the data directory unless absolute. */
export function keystorePath(config: FrontendConfig): string {
  return resolve(config.datadir, config.cluster.tls.file);
}

function frontendFrom(
  config: FrontendConfig,
  deps: { logger: Logger; key: NodeKey; tls: ClusterTls; registry: Registry | undefined },
): Frontend {
  const registry = deps.registry;
  const pc = config['peer-connection'];
  const socks = config.socks5;
  return new Frontend(
    {
      logger: deps.logger,
      ...(registry === undefined ? {} : { registry }),
      nodeKey: { privateKey: deps.key.privateKey, publicKey: deps.key.publicKey },
      tls: deps.tls,
    },
    {
      peer: { host: config.server['binding-ip'], port: config.server.port },
      http: { host: config.front['http-binding-ip'], port: config.front['http-port'] },
      cluster: {
        host: config.cluster.host,
        port: config.cluster.port,
        roles: [...config.cluster.roles],
        seedNodes: config.cluster['seed-nodes'].map((s) => `${s.host}:${s.port}`),
        failureDetectorThresholdMs: config.cluster['failure-detector'].threshold,
        heartbeatIntervalMs: config.cluster['failure-detector']['heartbeat-interval'],
        downAfterMs: config.cluster['down-after'],
      },
      authTimeoutMs: pc['auth-timeout'],
      timeouts: {
        initTimeoutMs: pc['init-timeout'],
        pingIntervalMs: pc['ping-interval'],
        pingTimeoutMs: pc['ping-timeout'],
      },
      gossip: { broadcastIntervalMs: config.router['broadcast-interval'] },
      socks5: {
        enabled: socks.enabled,
        host: socks.host,
        port: socks.port,
        useForIpv4: socks['use-for-ipv4'],
        useForIpv6: socks['use-for-ipv6'],
        useForTor: socks['use-for-tor'],
      },
    },
  );
}

/**
 * The frontend program: configuration, node key (checked against `NODE_PUB_KEY`), cluster TLS, then
 * the {@link Frontend} until the stop signal. Resolves with the exit code.
 */
export async function runFrontend(io: RunEnvironment): Promise<number> {
  let logger: Logger | undefined;
  let frontend: Frontend | undefined;
  try {
    const config = loadConfig(frontendSchema, { argv: io.argv, env: io.env });
    logger = createLogger({
      level: config.log.level,
      format: config.log.format,
      fields: { app: 'frontend' },
    });
    const registry = config.metrics.enabled
      ? createMetricsRegistry({ labels: { role: 'frontend' } })
      : undefined;
    let key: NodeKey;
    try {
      key = await loadNodeKey(keyOptions(config, io.env));
    } catch (err) {
      const provider = config.front['priv-key-provider'];
      new FrontendMetrics(registry).keyProviderError(provider);
      logger.error('node key provider failed', { provider, error: errorMessage(err) });
      throw err;
    }
    const tls = clusterTls(config);
    frontend = frontendFrom(config, { logger, key, tls, registry });
    await frontend.start();
  } catch (err) {
    if (!isStartError(err)) throw err;
    io.stderr(`shoal-frontend: cannot start: ${err.message}`);
    logger?.error('frontend start failed', { code: err.code, error: err.message });
    return EXIT_CONFIG;
  }
  const signal = await io.stopSignal;
  logger.info('stopping', { signal });
  await frontend.stop();
  return 0;
}
