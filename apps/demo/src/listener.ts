import type { Logger } from '@shoal/log';
import { createNoiseServer, type NoiseServer, type NoiseSocket } from '@shoal/noise';
import {
  decodeMessage,
  encodeMessage,
  isUnknownMessage,
  pongLengthFor,
  unknownMessageAction,
} from '@shoal/wire';

/** Bitcoin's regtest genesis block hash in internal byte order: the BOLT 1 `chain_hash` of regtest. */
export const REGTEST_CHAIN_HASH = Buffer.from(
  '06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f',
  'hex',
);

export interface TransportListenerOptions {
  nodeKey: Uint8Array;
  host: string;
  port: number;
  chainHash?: Uint8Array;
}

/**
 * What the demo can run before the node apps exist: a BOLT 8 responder that sends `init`
 * (BOLT 1, networks = regtest), closes on a peer whose `init` names none of our networks,
 * answers `ping` with `pong` and ignores everything else (an unknown even message closes, BOLT 1).
 */
export async function startTransportListener(
  deps: { logger: Logger },
  options: TransportListenerOptions,
): Promise<NoiseServer> {
  const chainHash = Buffer.from(options.chainHash ?? REGTEST_CHAIN_HASH);
  const server = createNoiseServer({ localStaticKey: options.nodeKey }, (peer) =>
    servePeer(deps.logger.child({ peer: peer.remotePublicKey.toString('hex') }), peer, chainHash),
  );
  server.on('handshakeError', (err) => deps.logger.warn('handshake failed', { err }));
  await server.listen(options.port, options.host);
  return server;
}

function servePeer(logger: Logger, peer: NoiseSocket, chainHash: Buffer): void {
  logger.info('peer connected', { address: peer.socket.remoteAddress });
  peer.write(
    encodeMessage({
      type: 'init',
      globalFeatures: new Uint8Array(0),
      features: new Uint8Array(0),
      tlvs: { networks: [chainHash], unknown: [] },
    }),
  );
  peer.on('message', (bytes) => {
    let msg: ReturnType<typeof decodeMessage>;
    try {
      msg = decodeMessage(bytes);
    } catch (err) {
      logger.warn('malformed message, closing', { err });
      peer.destroy();
      return;
    }
    if (isUnknownMessage(msg)) {
      if (unknownMessageAction(msg.type) === 'close') {
        logger.warn('unknown even message, closing', { type: msg.type });
        peer.destroy();
      }
      return;
    }
    if (msg.type === 'init') {
      const networks = msg.tlvs.networks;
      if (networks && !networks.some((n) => chainHash.equals(n))) {
        logger.warn('peer is on other networks, closing');
        peer.destroy();
        return;
      }
      logger.info('init received');
    } else if (msg.type === 'ping') {
      const len = pongLengthFor(msg);
      if (len !== undefined)
        peer.write(encodeMessage({ type: 'pong', ignored: new Uint8Array(len), tlvs: { unknown: [] } }));
    } else {
      logger.info('message not handled by the transport demo', { type: msg.type });
    }
  });
  peer.on('error', (err) => logger.warn('connection error', { err }));
  peer.on('close', () => logger.info('peer disconnected'));
}
