import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { ClusterMember, type ClusterOptions, type ClusterTls, CodecRegistry } from '@shoal/cluster';
import { type FrontProtocol, MESH_PROTOCOL_VERSION, registerFrontProtocol } from '@shoal/front-protocol';
import type { Logger } from '@shoal/log';
import type { Registry } from '@shoal/metrics';
import type { NoiseSocket } from '@shoal/noise';
import { ClientSpawner, type Socks5Options } from './client-spawner.js';
import { FrontendError } from './errors.js';
import { startHttp } from './http.js';
import type { RemoteEndpoint } from './init-rules.js';
import { PeerListener } from './listener.js';
import { FrontendMetrics } from './metrics.js';
import { type ConnectionHost, PeerConnection, type PeerConnectionTimeouts } from './peer-connection.js';
import { Readiness } from './readiness.js';
import { FrontendRouter } from './router/router.js';
import type { FrontendRouterOptions } from './router/types.js';

/** The role of a frontend member on the mesh. */
export const FRONTEND_ROLE = 'frontend';

/** Collaborators of a {@link Frontend}. */
export interface FrontendDeps {
  logger: Logger;
  /** prom-client registry served at `/metrics`; no metrics without it. */
  registry?: Registry;
  /** The node key (checked against `NODE_PUB_KEY` by the caller, see `loadNodeKey`). */
  nodeKey: { privateKey: Uint8Array; publicKey: Uint8Array };
  /** The cluster certificate (mutual TLS on the mesh). */
  tls: ClusterTls;
}

/** Options of a {@link Frontend}; durations in milliseconds. */
export interface FrontendOptions {
  /** `server.binding-ip` / `server.port` (0 picks a free port). */
  peer: { host: string; port: number };
  /** `front.http-binding-ip` / `front.http-port`; omitted: no HTTP server. */
  http?: { host: string; port: number };
  /** The mesh member; `frontend` is added to its roles. */
  cluster: Omit<ClusterOptions, 'tls' | 'roles' | 'protocolVersion'> & { roles?: string[] };
  /** BOLT 8 handshake deadline (`peer-connection.auth-timeout`), also the outgoing dial deadline. */
  authTimeoutMs: number;
  timeouts: PeerConnectionTimeouts;
  socks5?: Socks5Options;
  /** How often the mediator registry is re-checked for the switchboard (default 200). */
  readinessIntervalMs?: number;
  /** The gossip router (`router.*` in the config). */
  gossip?: FrontendRouterOptions;
}

/**
 * The stateless frontend (issue 4): peer listener, `PeerConnection`s, the `ClientSpawner`, readiness
 * and `/health`, `/ready`, `/metrics`. Writes nothing to disk.
 */
/** Events of a {@link Frontend}. */
export interface FrontendEvents {
  ready: [];
  'not-ready': [reason: string];
  /** A connection stopped reading its socket: the mesh link to `address` is saturated. */
  'reading-paused': [address: string];
  /** The link to `address` drained: the connections paused on it read again. */
  'reading-resumed': [address: string];
}

export class Frontend extends EventEmitter<FrontendEvents> implements ConnectionHost {
  readonly logger: Logger;
  readonly metrics: FrontendMetrics;
  readonly member: ClusterMember;
  readonly proto: FrontProtocol;
  readonly timeouts: PeerConnectionTimeouts;
  /** The gossip router (issue 6): graph copy, gossip in, queries, rebroadcast, our own sync. */
  readonly router: FrontendRouter;
  private readonly listener: PeerListener;
  private readonly spawner: ClientSpawner;
  private readonly readiness: Readiness;
  private readonly connections = new Set<PeerConnection>();
  private readonly drainWaiters = new Map<string, (() => void)[]>();
  private http: { server: Server; port: number } | undefined;
  private started = false;
  private wasReady = false;

  constructor(
    private readonly deps: FrontendDeps,
    private readonly options: FrontendOptions,
  ) {
    super();
    this.logger = deps.logger;
    this.metrics = new FrontendMetrics(deps.registry);
    this.timeouts = options.timeouts;
    const codecs = new CodecRegistry();
    this.proto = registerFrontProtocol(codecs);
    this.member = new ClusterMember(
      {
        logger: deps.logger.child({ component: 'cluster' }),
        codecs,
        ...(deps.registry ? { metrics: { registry: deps.registry } } : {}),
      },
      {
        ...options.cluster,
        roles: [FRONTEND_ROLE, ...(options.cluster.roles ?? []).filter((r) => r !== FRONTEND_ROLE)],
        protocolVersion: MESH_PROTOCOL_VERSION,
        tls: deps.tls,
      },
    );
    this.router = new FrontendRouter(
      { member: this.member, proto: this.proto, logger: deps.logger, metrics: this.metrics },
      options.gossip,
    );
    const key = Buffer.from(deps.nodeKey.privateKey);
    this.listener = new PeerListener(this, {
      host: options.peer.host,
      port: options.peer.port,
      localStaticKey: key,
      authTimeoutMs: options.authTimeoutMs,
    });
    this.spawner = new ClientSpawner(this, {
      localStaticKey: key,
      timeoutMs: options.authTimeoutMs,
      socks5: options.socks5,
    });
    this.readiness = new Readiness(this.member, options.readinessIntervalMs ?? 200);
  }

  /** Hex node id. */
  get nodeId(): string {
    return Buffer.from(this.deps.nodeKey.publicKey).toString('hex');
  }

  /** The peer port (the real one once started). */
  get port(): number {
    return this.listener.port;
  }

  /** The HTTP port, once started. */
  get httpPort(): number | undefined {
    return this.http?.port;
  }

  /** `/ready`: a backend serves the switchboard and the graph copy is in sync. */
  get ready(): boolean {
    return this.readiness.ready && this.router.ready;
  }

  get readyReason(): string {
    return this.readiness.reason || this.router.reason;
  }

  /** Open peer connections (any state after the handshake). */
  get connectionCount(): number {
    return this.connections.size;
  }

  async start(): Promise<void> {
    if (this.started) throw new FrontendError('FRONTEND_BAD_STATE', 'frontend already started');
    this.started = true;
    await this.member.start();
    this.member.on('drain', (address) => this.onDrain(address));
    this.spawner.start();
    this.router.start();
    this.router.on('ready-changed', () => this.readyChanged());
    this.readiness.on('ready', () => this.readyChanged());
    this.readiness.on('not-ready', (reason) => {
      // While stopping, stop() closes the connections itself with the right reason.
      if (this.started) this.closeAll(`backend unavailable: ${reason}`);
      this.readyChanged();
    });
    this.readiness.on('backend-lost', (address, incarnation) => {
      this.drainWaiters.delete(address);
      for (const c of [...this.connections])
        if (c.servedBy(address, incarnation)) c.close('backend unreachable');
    });
    this.readiness.on('backend-superseded', (address, incarnation, by) => {
      this.logger.warn('backend superseded by a newer one: closing its connections', { address, by });
      this.drainWaiters.delete(address);
      for (const c of [...this.connections])
        if (c.servedBy(address, incarnation)) c.close('backend superseded (failover)');
    });
    try {
      await this.listener.start();
      if (this.options.http !== undefined) {
        this.http = await startHttp(
          {
            logger: this.logger,
            registry: this.deps.registry,
            state: {
              ready: () => ({ ready: this.ready, reason: this.readyReason }),
              status: () => ({ nodeId: this.nodeId, connections: this.connections.size, ready: this.ready }),
            },
          },
          this.options.http,
        );
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.readiness.start();
    this.logger.info('frontend started', {
      nodeId: this.nodeId,
      port: this.port,
      httpPort: this.httpPort ?? null,
      clusterAddress: this.member.address,
    });
  }

  /** Closes every connection (telling the backend), then the listeners and the mesh member. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.readiness.stop();
    // Connections first: the listener's close waits for every socket it accepted to end.
    this.closeAll('frontend stopping');
    this.router.stop();
    await this.listener.stop();
    this.spawner.stop();
    const http = this.http;
    this.http = undefined;
    if (http !== undefined) {
      http.server.closeAllConnections();
      await new Promise<void>((resolve) => http.server.close(() => resolve()));
    }
    await this.member.stop();
    this.logger.info('frontend stopped', { nodeId: this.nodeId });
  }

  // ---- ListenerHost / SpawnerHost / ConnectionHost ------------------------------------------

  accepting(): boolean {
    return this.started && this.readiness.ready;
  }

  authenticated(noise: NoiseSocket, remote: RemoteEndpoint, requestId?: bigint): void {
    const outgoing = requestId !== undefined;
    const conn = new PeerConnection(this, noise, { outgoing, requestId: requestId ?? 0n, remote });
    this.connections.add(conn);
    conn.start();
  }

  closed(conn: PeerConnection): void {
    this.connections.delete(conn);
  }

  whenDrained(address: string, resume: () => void): void {
    const list = this.drainWaiters.get(address) ?? [];
    list.push(resume);
    this.drainWaiters.set(address, list);
    this.emit('reading-paused', address);
  }

  private onDrain(address: string): void {
    const list = this.drainWaiters.get(address);
    if (list === undefined) return;
    this.drainWaiters.delete(address);
    for (const resume of list) resume();
    this.emit('reading-resumed', address);
  }

  /** Emits `ready` / `not-ready` when the combined state (backend and graph copy) flips. */
  private readyChanged(): void {
    const ready = this.ready;
    if (ready === this.wasReady) return;
    this.wasReady = ready;
    if (ready) {
      this.logger.info('frontend ready', { nodeId: this.nodeId });
      this.emit('ready');
    } else {
      this.logger.warn('frontend not ready', { reason: this.readyReason });
      this.emit('not-ready', this.readyReason);
    }
  }

  private closeAll(reason: string): void {
    for (const c of [...this.connections]) c.close(reason);
  }
}
