#!/usr/bin/env node
/**
 * The backend program (`bin/eclair-node.sh`): configuration from defaults < `<datadir>/shoal.conf`
 * < environment < flags; exit code 2 with one clear message on a configuration or TLS problem.
 * With `cluster.leader-elector = etcd` it follows (API `WAITING_TO_START`) until elected, and exits
 * with {@link EXIT_LEADERSHIP_LOST} the moment it stops leading (see `ha/lifecycle.ts`).
 */
import { ChainError } from '@shoal/chain';
import { ClusterError } from '@shoal/cluster';
import { backendSchema, ConfigError, describeConfig, loadConfig } from '@shoal/config';
import { HaError } from '@shoal/ha';
import { IdentityError } from '@shoal/identity';
import { createLogger } from '@shoal/log';
import { BackendError, errorMessage } from './errors.js';
import { EXIT_LEADERSHIP_LOST, startNode } from './ha/lifecycle.js';
import type { BackendConfig, RunningBackend } from './run.js';

const PROGRAM = 'shoal-backend';

function fail(code: number, message: string): never {
  process.stderr.write(`${PROGRAM}: ${message}\n`);
  process.exit(code);
}

/** A bitcoind the configuration points at that cannot be used: the operator's to fix. */
const CHAIN_SETUP_ERRORS = new Set<string>([
  'CHAIN_UNREACHABLE',
  'CHAIN_UNAUTHORIZED',
  'CHAIN_WRONG_NETWORK',
  'CHAIN_PRUNED',
  'CHAIN_INVALID_ARGUMENT',
]);

/** Errors of the operator's making (configuration, keystore, seed file, bitcoind): exit 2, no stack. */
function isSetupError(err: unknown): boolean {
  return (
    err instanceof ConfigError ||
    err instanceof IdentityError ||
    (err instanceof ClusterError && err.code.startsWith('CLUSTER_TLS')) ||
    (err instanceof HaError && err.code === 'HA_BAD_OPTIONS') ||
    (err instanceof BackendError && err.code === 'BACKEND_STARTUP') ||
    (err instanceof ChainError && CHAIN_SETUP_ERRORS.has(err.code))
  );
}

let config: BackendConfig;
try {
  config = loadConfig(backendSchema);
} catch (err) {
  if (err instanceof ConfigError) fail(2, err.message);
  throw err;
}

const logger = createLogger({
  level: config.log.level,
  format: config.log.format,
  fields: { role: 'backend' },
});
logger.debug('configuration', { config: describeConfig(config) });

let stopping = false;
const node = startNode(config, logger, {
  // Leadership lost (lease expired, lost, key deleted, fenced by the store): stop at once, without
  // a graceful stop that could write; systemd restarts the process as a follower.
  onLeadershipLost(reason) {
    if (stopping) return;
    const code = reason instanceof HaError ? reason.code : 'HA_UNKNOWN';
    logger.error('leadership lost: stopping at once', { reason: code, message: errorMessage(reason) });
    process.stderr.write(`${PROGRAM}: leadership lost (${code}): ${errorMessage(reason)}\n`, () =>
      process.exit(EXIT_LEADERSHIP_LOST),
    );
    // The write above may not finish if stderr is a full pipe: exit anyway, soon.
    setTimeout(() => process.exit(EXIT_LEADERSHIP_LOST), 50).unref();
  },
});

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    logger.warn('second signal: exiting at once', { signal });
    process.exit(1);
  }
  stopping = true;
  logger.info('backend stopping', { signal });
  try {
    await node.stop();
    logger.info('backend stopped');
    process.exit(0);
  } catch (err) {
    logger.error('backend stop failed', { err });
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

const running = await node.running.catch((err: unknown) => {
  if (stopping) return undefined; // stopped while following: shutdown() exits
  if (isSetupError(err)) fail(2, errorMessage(err));
  logger.error('backend failed to start', { err });
  fail(1, `failed to start: ${errorMessage(err)}`);
});
if (running !== undefined) started(running);

function started(running: RunningBackend): void {
  const { backend } = running;
  const apiPort = backend.apiPort;
  logger.info('backend started', {
    nodeId: Buffer.from(backend.nodeId).toString('hex'),
    apiPort,
    clusterAddress: backend.member.address,
    chain: config.chain,
    chainSource: running.chainSource,
    leaderElector: config.cluster['leader-elector'],
    epoch: running.epoch.toString(),
    metrics:
      apiPort > 0 && config.metrics.enabled ? `http://${config.api['binding-ip']}:${apiPort}/metrics` : 'off',
  });
  if (config.metrics.enabled && apiPort === 0) {
    logger.warn('metrics are served on the API port: enable api.enabled to scrape /metrics');
  }
}
