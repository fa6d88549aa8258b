import { EventEmitter, once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import type { Secp256k1 } from '@shoal/crypto';
import { type AcceptNoiseOptions, acceptNoise, type InitiateNoiseOptions, initiateNoise } from './connect.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from './constants.js';
import { NoiseError, toNoiseError } from './errors.js';
import type { NoiseSocket } from './noise-socket.js';

/** Events of a {@link NoiseServer}. */
export interface NoiseServerEvents {
  /** A peer finished the handshake. */
  connection: [socket: NoiseSocket];
  /** A peer failed the handshake (its socket is already destroyed). */
  handshakeError: [error: NoiseError];
  /** The listening socket failed. */
  error: [error: NoiseError];
}

/** A TCP listener that runs the responder handshake on every accepted socket. */
export class NoiseServer extends EventEmitter<NoiseServerEvents> {
  readonly server: Server;
  /** Handshakes that failed since start (also reported as `handshakeError` events). */
  handshakeFailures = 0;
  private readonly sockets = new Set<Socket>();

  constructor(options: AcceptNoiseOptions) {
    super();
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      acceptNoise(socket, options).then(
        (noise) => this.emit('connection', noise),
        (err: unknown) => {
          this.handshakeFailures++;
          this.emit('handshakeError', toNoiseError(err));
        },
      );
    });
    this.server.on('error', (err) => this.emit('error', toNoiseError(err)));
  }

  /** Starts listening (default: an ephemeral port on 127.0.0.1). */
  async listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    this.server.listen(port, host);
    await once(this.server, 'listening');
    return this.address();
  }

  address(): AddressInfo {
    const address = this.server.address();
    if (address === null || typeof address === 'string')
      throw new NoiseError('NOISE_CLOSED', 'server is not listening');
    return address;
  }

  /** Stops listening and destroys every open connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/** A {@link NoiseServer}; `onConnection` receives each authenticated peer. */
export function createNoiseServer(
  options: AcceptNoiseOptions,
  onConnection?: (socket: NoiseSocket) => void,
): NoiseServer {
  const server = new NoiseServer(options);
  if (onConnection) server.on('connection', onConnection);
  return server;
}

/** Options for {@link connectNoise}. */
export interface ConnectNoiseOptions extends InitiateNoiseOptions {
  host: string;
  port: number;
  secp?: Secp256k1;
}

/** Dials `host:port` and runs the initiator handshake; the deadline covers the TCP connect too. */
export function connectNoise(options: ConnectNoiseOptions): Promise<NoiseSocket> {
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const started = Date.now();
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: options.host, port: options.port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new NoiseError('NOISE_TIMEOUT', `connect did not finish within ${timeoutMs} ms`, { timeoutMs }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (err: Error): void => {
      clearTimeout(timer);
      reject(toNoiseError(err));
    };
    socket.once('error', onError);
  }).then((socket) =>
    initiateNoise(socket, {
      ...options,
      handshakeTimeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
    }),
  );
}
