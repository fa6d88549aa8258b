import { connect, isIP, type Socket } from 'node:net';
import type { ActorRef, ClusterMember } from '@shoal/cluster';
import { type ConnectionRequest, type FrontProtocol, PATHS } from '@shoal/front-protocol';
import type { Logger } from '@shoal/log';
import { initiateNoise, NoiseError, type NoiseSocket } from '@shoal/noise';
import { SocksClient } from 'socks';
import { errorMessage, FrontendError } from './errors.js';
import type { RemoteEndpoint } from './init-rules.js';
import type { FrontendMetrics } from './metrics.js';

/** `socks5.*`: outgoing connections through a SOCKS5 proxy (Tor), per address kind. */
export interface Socks5Options {
  enabled: boolean;
  host: string;
  port: number;
  useForIpv4: boolean;
  useForIpv6: boolean;
  useForTor: boolean;
}

/** Options of {@link ClientSpawner}. */
export interface ClientSpawnerOptions {
  localStaticKey: Uint8Array;
  /** TCP/SOCKS5 connect plus BOLT 8 handshake deadline, each. */
  timeoutMs: number;
  socks5: Socks5Options | undefined;
}

/** What the spawner asks of the frontend. */
export interface SpawnerHost {
  readonly member: ClusterMember;
  readonly proto: FrontProtocol;
  readonly logger: Logger;
  readonly metrics: FrontendMetrics;
  accepting(): boolean;
  /** The handshake completed on an outgoing connection. */
  authenticated(noise: NoiseSocket, remote: RemoteEndpoint, requestId: bigint): void;
}

/** Whether `host` is dialled through the proxy (`socks5.use-for-*`). */
export function usesProxy(socks5: Socks5Options | undefined, host: string): boolean {
  if (socks5?.enabled !== true) return false;
  if (host.endsWith('.onion')) return socks5.useForTor;
  return isIP(host) === 6 ? socks5.useForIpv6 : socks5.useForIpv4;
}

/**
 * The actor registered at `PATHS.clientSpawner` on every frontend (flow 9): dials a peer the backend
 * asks for (TCP, or SOCKS5), runs the BOLT 8 initiator, then hands the connection over to the same
 * flow as incoming ones; answers `ConnectionFailed` to `replyTo` when any step fails.
 */
export class ClientSpawner {
  private ref: ActorRef | undefined;
  private readonly dialing = new Set<Socket>();

  constructor(
    private readonly host: SpawnerHost,
    private readonly options: ClientSpawnerOptions,
  ) {}

  start(): void {
    this.ref = this.host.member.spawn<0>('client-spawner', {
      initialState: 0,
      onCrash: 'resume',
      handle: (s, msg) => {
        if (this.host.proto.connectionRequest.is(msg)) this.request(msg.value);
        else this.host.logger.warn('unexpected message at the client spawner', { type: msg.type.name });
        return s;
      },
    });
    this.host.member.mediator.put(PATHS.clientSpawner, this.ref);
  }

  stop(): void {
    for (const s of this.dialing) s.destroy();
    this.dialing.clear();
    if (this.ref === undefined) return;
    this.host.member.mediator.remove(PATHS.clientSpawner);
    this.host.member.actors.stopActor(this.ref);
    this.ref = undefined;
  }

  private request(req: ConnectionRequest): void {
    const nodeId = Buffer.from(req.nodeId).toString('hex');
    const log = this.host.logger.child({ requestId: req.requestId.toString(), nodeId });
    if (!this.host.accepting()) {
      this.fail(req, 'frontend not ready: backend unreachable', log);
      return;
    }
    log.info('dialing peer', {
      host: req.host,
      port: req.port,
      socks5: usesProxy(this.options.socks5, req.host),
    });
    this.dial(req).then(
      (noise) => {
        this.host.metrics.handshake('out', 'ok');
        if (!this.host.accepting()) {
          noise.destroy();
          this.fail(req, 'frontend not ready: backend unreachable', log);
          return;
        }
        this.host.authenticated(noise, { host: req.host, port: req.port }, req.requestId);
      },
      (err: unknown) => {
        if (err instanceof NoiseError) {
          this.host.metrics.handshake('out', err.code === 'NOISE_TIMEOUT' ? 'timeout' : 'failed');
        }
        this.fail(req, errorMessage(err), log);
      },
    );
  }

  private fail(req: ConnectionRequest, reason: string, log: Logger): void {
    log.warn('outgoing connection failed', { reason });
    try {
      this.host.member.tell(
        req.replyTo,
        this.host.proto.connectionFailed.of({ requestId: req.requestId, nodeId: req.nodeId, reason }),
        this.ref,
      );
    } catch (err) {
      log.warn('ConnectionFailed not delivered', { error: errorMessage(err) });
    }
  }

  private async dial(req: ConnectionRequest): Promise<NoiseSocket> {
    const socket = await this.connectSocket(req.host, req.port);
    this.dialing.add(socket);
    try {
      return await initiateNoise(socket, {
        localStaticKey: this.options.localStaticKey,
        remoteStaticKey: req.nodeId,
        handshakeTimeoutMs: this.options.timeoutMs,
      });
    } finally {
      this.dialing.delete(socket);
    }
  }

  private async connectSocket(host: string, port: number): Promise<Socket> {
    const socks5 = this.options.socks5;
    const meta = { host, port };
    if (socks5 !== undefined && usesProxy(socks5, host)) {
      try {
        const { socket } = await SocksClient.createConnection({
          command: 'connect',
          destination: { host, port },
          proxy: { host: socks5.host, port: socks5.port, type: 5 },
          timeout: this.options.timeoutMs,
        });
        return socket;
      } catch (err) {
        throw new FrontendError(
          'FRONTEND_DIAL_FAILED',
          `SOCKS5 proxy ${socks5.host}:${socks5.port} could not connect to ${host}:${port}: ${errorMessage(err)}`,
          meta,
          { cause: err },
        );
      }
    }
    return new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new FrontendError('FRONTEND_DIAL_FAILED', `connecting to ${host}:${port} timed out`, meta));
      }, this.options.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(
          new FrontendError(
            'FRONTEND_DIAL_FAILED',
            `cannot connect to ${host}:${port}: ${err.message}`,
            meta,
            {
              cause: err,
            },
          ),
        );
      });
    });
  }
}
