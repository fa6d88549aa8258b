import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@shoal/log';
import { acceptNoise, NoiseError, type NoiseSocket } from '@shoal/noise';
import { errorMessage, FrontendError } from './errors.js';
import type { RemoteEndpoint } from './init-rules.js';
import type { FrontendMetrics } from './metrics.js';

/** What the listener asks of the frontend. */
export interface ListenerHost {
  readonly logger: Logger;
  readonly metrics: FrontendMetrics;
  /** False while the backend is unreachable: new connections are refused (flow 8). */
  accepting(): boolean;
  /** A BOLT 8 handshake completed on an incoming connection. */
  authenticated(noise: NoiseSocket, remote: RemoteEndpoint, requestId?: bigint): void;
}

/** Options of {@link PeerListener}. */
export interface PeerListenerOptions {
  host: string;
  port: number;
  localStaticKey: Uint8Array;
  /** BOLT 8 handshake deadline (`peer-connection.auth-timeout`). */
  authTimeoutMs: number;
}

/** `server.port`: accepts TCP connections and runs the BOLT 8 responder on each (flow 1). */
export class PeerListener {
  private server: Server | undefined;
  private readonly handshaking = new Set<Socket>();

  constructor(
    private readonly host: ListenerHost,
    private readonly options: PeerListenerOptions,
  ) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  async start(): Promise<void> {
    const server = createServer({ pauseOnConnect: true }, (socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(
          new FrontendError(
            'FRONTEND_LISTEN_FAILED',
            `cannot listen for peers on ${this.options.host}:${this.options.port}: ${errorMessage(err)}`,
            { host: this.options.host, port: this.options.port },
            { cause: err },
          ),
        ),
      );
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    server.on('error', (err) => this.host.logger.error('peer listener error', { error: err.message }));
    this.server = server;
  }

  /** Stops accepting and drops connections still in their handshake. */
  async stop(): Promise<void> {
    for (const s of this.handshaking) s.destroy();
    this.handshaking.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onConnection(socket: Socket): void {
    const remote: RemoteEndpoint = { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 };
    if (!this.host.accepting()) {
      this.host.logger.debug('refused a peer connection: not ready', { remote: remote.host });
      socket.destroy();
      return;
    }
    this.handshaking.add(socket);
    this.host.metrics.transition(undefined, 'handshake');
    acceptNoise(socket, {
      localStaticKey: this.options.localStaticKey,
      handshakeTimeoutMs: this.options.authTimeoutMs,
    }).then(
      (noise) => {
        this.handshaking.delete(socket);
        this.host.metrics.transition('handshake', undefined);
        this.host.metrics.handshake('in', 'ok');
        if (!this.host.accepting()) {
          noise.destroy();
          return;
        }
        this.host.authenticated(noise, remote);
      },
      (err: unknown) => {
        this.handshaking.delete(socket);
        this.host.metrics.transition('handshake', undefined);
        const timeout = err instanceof NoiseError && err.code === 'NOISE_TIMEOUT';
        this.host.metrics.handshake('in', timeout ? 'timeout' : 'failed');
        this.host.logger.debug('incoming handshake failed', {
          remote: remote.host,
          error: errorMessage(err),
        });
      },
    );
  }
}
