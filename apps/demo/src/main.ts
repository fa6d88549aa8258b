#!/usr/bin/env node
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import { createLogger } from '@shoal/log';
import { startTransportListener } from './listener.js';

// The demo runs what exists today: the BOLT 8 + BOLT 1 transport on one port. The backend and
// frontends replace it once the node apps exist.
const host = process.env.DEMO_HOST ?? '127.0.0.1';
const port = Number(process.env.DEMO_PORT ?? 9735);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`DEMO_PORT must be a port number, got ${JSON.stringify(process.env.DEMO_PORT)}`);
  process.exit(2);
}
const logger = createLogger({ format: 'pretty', level: 'info', fields: { app: 'demo' } });
const nodeKey = randomPrivateKey();
const nodeId = secp256k1.publicKeyCreate(nodeKey).toString('hex');

try {
  const server = await startTransportListener({ logger }, { nodeKey, host, port });
  const bound = server.address();
  console.log(`Shoal transport demo (BOLT 8 handshake, init, ping/pong; no channels yet)
  node id:     ${nodeId}
  connect to:  ${nodeId}@${bound.address}:${bound.port}
  stop:        Ctrl-C`);
  const stop = (signal: string): void => {
    logger.info('stopping', { signal });
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  logger.error('could not start', { err });
  process.exit(1);
}
