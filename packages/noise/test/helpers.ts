import { once } from 'node:events';
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import { connectNoise, createNoiseServer, type NoiseServer, type NoiseSocket } from '../src/index.js';

export interface Pair {
  server: NoiseServer;
  serverKey: Buffer;
  clientKey: Buffer;
  /** Our responder's side. */
  accepted: NoiseSocket;
  /** Our initiator's side. */
  dialed: NoiseSocket;
  close(): Promise<void>;
}

/** A loopback server and one connected, handshaken client. */
export async function connectedPair(): Promise<Pair> {
  const serverKey = randomPrivateKey();
  const clientKey = randomPrivateKey();
  const server = createNoiseServer({ localStaticKey: serverKey, handshakeTimeoutMs: 5000 });
  const { port } = await server.listen(0, '127.0.0.1');
  const acceptedP = once(server, 'connection') as Promise<[NoiseSocket]>;
  const dialed = await connectNoise({
    host: '127.0.0.1',
    port,
    localStaticKey: clientKey,
    remoteStaticKey: secp256k1.publicKeyCreate(serverKey),
    handshakeTimeoutMs: 5000,
  });
  const [accepted] = await acceptedP;
  return {
    server,
    serverKey,
    clientKey,
    accepted,
    dialed,
    async close() {
      dialed.destroy();
      accepted.destroy();
      await server.close();
    },
  };
}

/** Resolves with the first `n` messages received on `socket`. */
export function collect(socket: NoiseSocket, n: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onMessage = (m: Buffer): void => {
      out.push(m);
      if (out.length === n) {
        socket.off('message', onMessage);
        socket.off('error', reject);
        resolve(out);
      }
    };
    socket.on('message', onMessage);
    socket.once('error', reject);
  });
}
