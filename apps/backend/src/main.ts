#!/usr/bin/env node
/**
 * The backend program (`bin/eclair-node.sh`): configuration from defaults < `<datadir>/shoal.conf`
 * < environment < flags; exit code 2 with one clear message on a configuration or TLS problem.
 */
import { ChainError } from '@shoal/chain';
import { ClusterError } from '@shoal/cluster';
import { backendSchema, ConfigError, describeConfig, loadConfig } from '@shoal/config';
import { IdentityError } from '@shoal/identity';
import { createLogger } from '@shoal/log';
import { BackendError, errorMessage } from './errors.js';
import { type BackendConfig, type RunningBackend, runBackend } from './run.js';

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

let running: RunningBackend;
try {
  running = await runBackend(config, logger);
} catch (err) {
  if (isSetupError(err)) fail(2, errorMessage(err));
  logger.error('backend failed to start', { err });
  fail(1, `failed to start: ${errorMessage(err)}`);
}

const { backend } = running;
const apiPort = backend.apiPort;
logger.info('backend started', {
  nodeId: Buffer.from(backend.nodeId).toString('hex'),
  apiPort,
  clusterAddress: backend.member.address,
  chain: config.chain,
  chainSource: running.chainSource,
  metrics:
    apiPort > 0 && config.metrics.enabled ? `http://${config.api['binding-ip']}:${apiPort}/metrics` : 'off',
});
if (config.metrics.enabled && apiPort === 0) {
  logger.warn('metrics are served on the API port: enable api.enabled to scrape /metrics');
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    logger.warn('second signal: exiting at once', { signal });
    process.exit(1);
  }
  stopping = true;
  logger.info('backend stopping', { signal });
  try {
    await running.stop();
    logger.info('backend stopped');
    process.exit(0);
  } catch (err) {
    logger.error('backend stop failed', { err });
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
