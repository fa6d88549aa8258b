import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChainSource } from '@shoal/chain';
import { ClusterMember, type ClusterTls, CodecRegistry, type MembershipEvent } from '@shoal/cluster';
import { type FrontProtocol, registerFrontProtocol } from '@shoal/front-protocol';
import type { Logger } from '@shoal/log';
import { metricsHandler, type Registry } from '@shoal/metrics';
import type { Store } from '@shoal/store';
import { type Address, parseAddress } from '@shoal/wire';
import {
  type AnyApiCall,
  type ApiServer,
  createApiServer,
  type GossipSyncResult,
  type PeerResult,
} from './api/index.js';
import { gossipCalls } from './api-gossip.js';
import { ChainFundingLookup } from './chain.js';
import { backendMemberOptions } from './cluster-options.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, OUR_INIT_FEATURES } from './constants.js';
import { BackendError } from './errors.js';
import { createHandlers, hostPort, type NodeView, remoteAddress } from './handlers.js';
import { BackendMetrics } from './metrics.js';
import { PeerBook } from './peer-book.js';
import { type ReconnectOptions, Reconnector } from './reconnect.js';
import { GossipRouter, type GossipRouterOptions, StoreGraphPersistence } from './router/index.js';
import { type StatusChange, StatusService } from './status/index.js';
import { Switchboard } from './switchboard.js';

/** Collaborators of the {@link Backend}: owned (started and closed) by the caller. */
export interface BackendDeps {
  logger: Logger;
  store: Store;
  /** Prometheus registry; `/metrics` is served from it on the API port when given. */
  registry?: Registry;
  /** Current block height for `getinfo` (0 when no chain source is wired). */
  blockHeight?: () => Promise<number>;
  /** Calls served besides the built-in ones (the wallet's, `generate`): see `formCall`. */
  extraCalls?: readonly AnyApiCall[];
  /** The chain source: BOLT 7 funding checks and spends for the gossip Router (none: no channel is accepted). */
  chain?: ChainSource;
  /** The node private key, to sign our `node_announcement` once we have a public channel. */
  nodeKey?: Uint8Array;
  /** This backend's leadership, shown by the `cluster` call (`none`: a single backend). */
  leader?: { id: string; epoch: bigint; elector: string };
}

/** Options of the {@link Backend}; durations in milliseconds. */
export interface BackendOptions {
  nodeId: Uint8Array;
  alias: string;
  /** 6 hex digits (config `node-color`). */
  color: string;
  network: string;
  /** BOLT 0 chain hash (wire byte order). */
  chainHash: Uint8Array;
  publicAddresses: Address[];
  cluster: {
    host: string;
    port: number;
    seedNodes: string[];
    tls: ClusterTls;
    roles?: string[];
    failureDetectorThresholdMs?: number;
    downAfterMs?: number;
    heartbeatIntervalMs?: number;
  };
  /** Absent: no HTTP API (and no `/metrics`). */
  api?: { host: string; port: number; password: string; authFailureDelayMs?: number };
  reconnect: ReconnectOptions;
  /** Disconnected non-persistent peers still listed by `peers` (oldest forgotten first); default 1000. */
  maxIdlePeers?: number;
  /** How long a `connect` waits for the peer to be ready; default 30 s. */
  connectTimeoutMs?: number;
  /** Gossip Router options besides the chain hash (pruning period, batch sizes, sync limits). */
  gossip?: Omit<GossipRouterOptions, 'chainHash'>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const META_NODE_ID = 'node_id';

/**
 * The stateful backend (DESIGN.md §1, §4): a cluster member with role `backend`, the
 * {@link Switchboard} and its Peers, persistent-peer reconnection and the HTTP API.
 */
export class Backend implements NodeView {
  readonly member: ClusterMember;
  readonly proto: FrontProtocol;
  readonly switchboard: Switchboard;
  readonly reconnector: Reconnector;
  /** The gossip Router (`/backend/router`): the canonical routing graph. */
  readonly router: GossipRouter;
  private readonly log: Logger;
  private readonly metrics: BackendMetrics | undefined;
  private api: ApiServer | undefined;
  /** The live status page (`/status`, `/status/events`), served on the API port. */
  private readonly status: StatusService;
  /** Persistent peers (kept in the store) and their addresses. */
  private readonly book: PeerBook;
  private started = false;

  constructor(
    private readonly deps: BackendDeps,
    private readonly options: BackendOptions,
  ) {
    this.log = deps.logger;
    this.metrics = deps.registry === undefined ? undefined : new BackendMetrics(deps.registry);
    this.book = new PeerBook(deps.store, deps.logger);
    const codecs = new CodecRegistry();
    this.proto = registerFrontProtocol(codecs);
    const c = options.cluster;
    this.member = new ClusterMember(
      {
        logger: deps.logger.child({ component: 'cluster' }),
        codecs,
        ...(deps.registry === undefined ? {} : { metrics: { registry: deps.registry } }),
      },
      backendMemberOptions(c, ['backend', ...(c.roles ?? []).filter((r) => r !== 'backend')], c.tls),
    );
    this.router = createRouter(this, deps, options);
    this.switchboard = new Switchboard({
      member: this.member,
      proto: this.proto,
      logger: deps.logger,
      features: this.features,
      chainHash: options.chainHash,
      isPersistent: (id) => this.book.has(id),
      doSync: (id) => this.router.doSync(id),
      ...(options.maxIdlePeers === undefined ? {} : { maxIdlePeers: options.maxIdlePeers }),
      ...(this.metrics === undefined ? {} : { metrics: this.metrics }),
    });
    this.reconnector = new Reconnector(
      {
        logger: deps.logger.child({ component: 'reconnect' }),
        attempt: (id, n) => this.reconnectOnce(id, n),
      },
      options.reconnect,
    );
    this.switchboard.on('peer-ready', (p) => {
      this.router.sync.peerReady(p.nodeIdHex, p.remoteInit);
      this.reconnector.connected(p.nodeIdHex);
      if (this.book.has(p.nodeIdHex)) {
        // Logged by the book; the peer stays connected and persistent in memory either way.
        this.book.remember(p.nodeId, undefined, p.remoteInit).catch(() => {});
      }
    });
    this.status = new StatusService({
      logger: deps.logger.child({ component: 'status' }),
      source: this,
      subscribe: (onChange) => subscribeStatus(this, onChange),
    });
    this.member.on('member-up', (e) => {
      if (e.member.roles.includes('frontend')) this.reconnector.retrySoon();
    });
    this.switchboard.on('peer-disconnected', (p) => {
      this.router.sync.peerGone(p.nodeIdHex);
      if (this.book.has(p.nodeIdHex)) this.reconnector.disconnected(p.nodeIdHex);
    });
  }

  // ---- NodeView -------------------------------------------------------------------------------

  get nodeId(): Uint8Array {
    return this.options.nodeId;
  }
  get alias(): string {
    return this.options.alias;
  }
  get color(): string {
    return `#${this.options.color.toLowerCase()}`;
  }
  get network(): string {
    return this.options.network;
  }
  get chainHash(): Uint8Array {
    return this.options.chainHash;
  }
  get features(): Uint8Array {
    return OUR_INIT_FEATURES.toBytes();
  }
  get publicAddresses(): Address[] {
    return this.options.publicAddresses;
  }
  /** The API's bound port (0 without an API). */
  get apiPort(): number {
    return this.api?.port ?? 0;
  }

  gossipSync(): GossipSyncResult {
    return this.router.sync.view();
  }

  /** The status page's gossip line: graph size, and how far the furthest running sync got. */
  gossipStatus(): { nodes: number; channels: number; syncProgress: number } {
    const g = this.router.processor.graph;
    const v = this.router.sync.view();
    const running = v.peers.filter((p) => p.phase === 'range' || p.phase === 'ids');
    const progress =
      v.completed > 0 || running.length === 0
        ? 1
        : Math.max(...running.map((p) => (p.queriesTotal === 0 ? 0 : p.queriesDone / p.queriesTotal)));
    return { nodes: g.nodeCount, channels: g.channelCount, syncProgress: progress };
  }

  blockHeight(): Promise<number> {
    return this.deps.blockHeight?.() ?? Promise.resolve(0);
  }

  peers(): PeerResult[] {
    const out: PeerResult[] = [];
    const seen = new Set<string>();
    for (const p of this.switchboard.list()) {
      seen.add(p.nodeIdHex);
      const connected = p.state === 'CONNECTED';
      const address = connected ? remoteAddress(p.remoteAddress) : undefined;
      out.push({
        nodeId: p.nodeId,
        state: p.state,
        channels: 0,
        ...(address === undefined ? {} : { address }),
        ...(connected && p.frontend !== undefined ? { frontend: p.frontend } : {}),
      });
    }
    for (const [id, p] of this.book.all()) {
      if (!seen.has(id)) out.push({ nodeId: p.nodeId, state: 'DISCONNECTED', channels: 0 });
    }
    return out;
  }

  async connect(nodeId: Uint8Array, address: Address | undefined, signal: AbortSignal): Promise<string> {
    if (this.switchboard.get(nodeId)?.state === 'CONNECTED') return 'already connected';
    const id = hex(nodeId);
    const known = this.book.get(id)?.addresses ?? [];
    const text = address === undefined ? known[0] : formatHostPort(hostPort(address));
    if (text === undefined) {
      throw new BackendError('BACKEND_CONNECT_FAILED', `no known address for ${id}: give nodeId@host:port`, {
        nodeId: id,
      });
    }
    const target = address ?? parseAddress(text);
    const { host, port } = hostPort(target);
    const attempt = this.switchboard.connect(
      nodeId,
      host,
      port,
      this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    );
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    try {
      await Promise.race([attempt, aborted]);
    } catch (err) {
      this.metrics?.connectRequest(resultOf(err), 'api');
      // A peer that was persistent stays so (the reconnector keeps trying); a new one is not kept,
      // as in Eclair: a mistyped address must not be redialled forever.
      if (this.book.has(id) && this.switchboard.get(nodeId)?.state !== 'CONNECTED') {
        this.reconnector.disconnected(id);
      }
      throw err;
    }
    this.metrics?.connectRequest('ok', 'api');
    // Connected: a persistent peer from now on, reconnected after drops and restarts.
    await this.book.remember(
      nodeId,
      formatHostPort({ host, port }),
      this.switchboard.get(nodeId)?.remoteInit,
    );
    return 'connected';
  }

  async disconnect(nodeId: Uint8Array): Promise<boolean> {
    const id = hex(nodeId);
    this.reconnector.forget(id);
    // Out of the book first (synchronously), so the disconnected peer is treated as non-persistent.
    const forgotten = this.book.forget(nodeId);
    const known = this.switchboard.disconnect(nodeId);
    return (await forgotten) || known;
  }

  cluster() {
    const perFrontend = this.switchboard.peersPerFrontend();
    const self = this.member.address;
    const l = this.deps.leader;
    return {
      self,
      ...(l === undefined
        ? {}
        : { leader: { id: l.id, epoch: l.epoch.toString(), elector: l.elector, address: self } }),
      members: this.member.members().map((m) => ({
        address: m.address,
        roles: [...m.roles],
        // This member answers, so it is up whatever its seed view says.
        status: m.address === self ? ('up' as const) : m.status,
        protocolVersion: m.protocolVersion,
        ...(m.roles.includes('frontend') ? { peers: perFrontend.get(m.address) ?? 0 } : {}),
        ...(m.roles.includes('backend') ? { leader: m.address === self } : {}),
      })),
    };
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.started) throw new BackendError('BACKEND_BAD_STATE', 'backend already started');
    this.started = true;
    try {
      await this.checkNodeId();
      await this.book.load();
      await this.router.load();
      await this.member.start();
      this.router.start();
      this.switchboard.start();
      if (this.options.api !== undefined) {
        this.api = this.createApi(this.options.api);
        await this.api.start();
        this.status.start();
      }
    } catch (err) {
      // Whatever started (mesh listener, API) is stopped, so a failed start leaves nothing open.
      await this.stop();
      throw err;
    }
    // Persistent peers from the store: reconnected (with back-off) once a frontend is there.
    for (const id of this.book.all().keys()) this.reconnector.disconnected(id);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.reconnector.stop();
    this.status.stop();
    await this.api?.stop();
    this.switchboard.stop();
    await this.router.stop();
    await this.member.stop();
  }

  // ---- internals ------------------------------------------------------------------------------

  /** The HTTP API, with `/metrics` served before authentication when a registry is given. */
  private createApi(options: NonNullable<BackendOptions['api']>): ApiServer {
    const registry = this.deps.registry;
    const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
    if (registry !== undefined) {
      routes.set(
        '/metrics',
        metricsHandler(registry, { onError: (err) => this.log.error('metrics failed', { err }) }),
      );
    }
    const metrics = this.metrics;
    return createApiServer(
      {
        logger: this.log,
        handlers: createHandlers(this),
        publicRoutes: routes,
        authedRoutes: this.status.routes(),
        extraCalls: [...(this.deps.extraCalls ?? []), ...gossipCalls(this.router.processor)],
        ...(metrics === undefined
          ? {}
          : { metrics: { requestDone: (c, s, t) => metrics.apiRequest(c, s, t) } }),
      },
      { ...options },
    );
  }

  /** The store belongs to one node: a database written under another node id is refused. */
  private async checkNodeId(): Promise<void> {
    const stored = await this.deps.store.read((tx) => tx.meta.get(META_NODE_ID));
    if (stored === undefined) {
      await this.deps.store.transaction((tx) => tx.meta.put(META_NODE_ID, this.options.nodeId));
    } else if (!Buffer.from(stored).equals(Buffer.from(this.options.nodeId))) {
      throw new BackendError(
        'BACKEND_STARTUP',
        `the database belongs to node ${hex(stored)}, not to this node ${hex(this.options.nodeId)} (wrong seed or datadir?)`,
      );
    }
  }

  private async reconnectOnce(id: string, attempt: number): Promise<void> {
    const p = this.book.get(id);
    if (p === undefined || p.addresses.length === 0) {
      throw new BackendError('BACKEND_CONNECT_FAILED', `no known address for ${id}`, { nodeId: id });
    }
    const { host, port } = hostPort(parseAddress(p.addresses[attempt % p.addresses.length]!));
    try {
      await this.switchboard.connect(
        p.nodeId,
        host,
        port,
        this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      );
      this.metrics?.connectRequest('ok', 'reconnect');
    } catch (err) {
      this.metrics?.connectRequest(resultOf(err), 'reconnect');
      throw err;
    }
  }
}

/** Membership events and peer connects/disconnects, as status-page changes; returns the removal. */
function subscribeStatus(b: Backend, onChange: (c: StatusChange) => void): () => void {
  const kinds = ['member-up', 'member-unreachable', 'member-reachable', 'member-removed'] as const;
  const onMember = (e: MembershipEvent): void => {
    const m = e.member;
    const removed = {
      address: m.address,
      roles: [...m.roles],
      status: 'removed',
      protocolVersion: m.protocolVersion,
    };
    onChange(e.kind === 'member-removed' ? { reason: e.kind, removed } : { reason: e.kind });
  };
  const onReady = (): void => onChange({ reason: 'peer-ready' });
  const onGone = (): void => onChange({ reason: 'peer-disconnected' });
  for (const k of kinds) b.member.on(k, onMember);
  b.switchboard.on('peer-ready', onReady);
  b.switchboard.on('peer-disconnected', onGone);
  return () => {
    for (const k of kinds) b.member.off(k, onMember);
    b.switchboard.off('peer-ready', onReady);
    b.switchboard.off('peer-disconnected', onGone);
  };
}

/** The gossip Router over the backend's mesh member, store and (when given) chain source. */
function createRouter(b: Backend, deps: BackendDeps, options: BackendOptions): GossipRouter {
  // The look-ups are stamped with the router's block count (set below, before any gossip comes).
  let router: GossipRouter | undefined;
  const funding =
    deps.chain === undefined ? undefined : new ChainFundingLookup(deps.chain, () => router?.blocksSeen ?? -1);
  const chain = deps.chain;
  router = new GossipRouter(
    {
      member: b.member,
      proto: b.proto,
      logger: deps.logger,
      persistence: new StoreGraphPersistence(deps.store),
      ...(deps.registry === undefined ? {} : { registry: deps.registry }),
      ...(funding === undefined || chain === undefined
        ? {}
        : {
            funding,
            spends: { chain, output: (s) => funding.output(s), recent: (s) => funding.takeRecent(s) },
          }),
      ...(deps.nodeKey === undefined
        ? {}
        : {
            ownNode: {
              nodeKey: deps.nodeKey,
              nodeId: options.nodeId,
              alias: options.alias,
              color: options.color,
              addresses: options.publicAddresses,
              features: b.features,
            },
          }),
    },
    { ...options.gossip, chainHash: options.chainHash },
  );
  return router;
}

function formatHostPort({ host, port }: { host: string; port: number }): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function resultOf(err: unknown): 'failed' | 'timeout' | 'no_frontend' {
  if (err instanceof BackendError && err.code === 'BACKEND_FRONTEND_UNAVAILABLE') return 'no_frontend';
  if (err instanceof BackendError && err.code === 'BACKEND_CONNECT_TIMEOUT') return 'timeout';
  return 'failed';
}
