import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClusterMember, type ClusterTls, CodecRegistry } from '@shoal/cluster';
import { registerFrontProtocol } from '@shoal/front-protocol';
import type { Logger } from '@shoal/log';
import { metricsHandler, type Registry } from '@shoal/metrics';
import { ApiError, type ApiHandlers, type ApiServer, createApiServer } from '../api/index.js';
import { backendMemberOptions } from '../cluster-options.js';

/** The mesh role of a follower backend: it never has `backend`, so frontends never route to it. */
export const STANDBY_ROLE = 'standby';

/** Collaborators of a {@link Standby}. */
export interface StandbyDeps {
  logger: Logger;
  tls: ClusterTls;
  /** `/metrics` is served from it (`shoal_leader 0` while following). */
  registry?: Registry;
}

/** Options of a {@link Standby}: the same API and cluster settings the leader will use. */
export interface StandbyOptions {
  api?: { host: string; port: number; password: string };
  cluster: {
    host: string;
    port: number;
    seedNodes: string[];
    failureDetectorThresholdMs?: number;
    heartbeatIntervalMs?: number;
    downAfterMs?: number;
  };
}

/** What a follower hands to the backend it becomes. */
export interface Handover {
  /** The API port it listened on (0 without an API), so the leader's API takes the same one. */
  apiPort: number;
  /** The mesh port it listened on. */
  clusterPort: number;
  /** Mesh addresses it knew (frontends, other backends): the leader dials them at once. */
  members: string[];
  /**
   * Stops the standby's API and mesh member, freeing their ports: called right before the backend
   * binds them, so the API answers `WAITING_TO_START` until then instead of refusing connections.
   */
  release(): Promise<void>;
}

const refuse = (): Promise<never> =>
  Promise.reject(new ApiError('API_UNAVAILABLE', 'this backend is WAITING_TO_START (a standby)'));

/** Handlers a waiting API never calls (it answers `WAITING_TO_START` or 503 itself). */
const WAITING_HANDLERS: ApiHandlers = {
  getInfo: refuse,
  peers: refuse,
  connect: refuse,
  disconnect: refuse,
  cluster: refuse,
  state: refuse,
};

/**
 * A follower backend (DESIGN §5): its API answers `/v1/state` and `getinfo` with
 * `WAITING_TO_START` and refuses the rest with 503 naming the leader; it joins the mesh with the
 * `standby` role only (no `backend` role, no actor registered, so it never accepts a peer), which
 * keeps links to the frontends so that, once elected, the backend reaches them at once instead of
 * waiting for their seed re-dial back-off.
 */
export class Standby {
  private readonly member: ClusterMember;
  private readonly api: ApiServer | undefined;
  private started = false;

  constructor(deps: StandbyDeps, options: StandbyOptions) {
    const codecs = new CodecRegistry();
    registerFrontProtocol(codecs);
    const c = options.cluster;
    this.member = new ClusterMember(
      {
        // No metrics: the leader's member registers the cluster metrics on the same registry.
        logger: deps.logger.child({ component: 'cluster' }),
        codecs,
      },
      backendMemberOptions(c, [STANDBY_ROLE], deps.tls),
    );
    const registry = deps.registry;
    const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
    if (registry !== undefined) {
      routes.set(
        '/metrics',
        metricsHandler(registry, { onError: (err) => deps.logger.error('metrics failed', { err }) }),
      );
    }
    this.api =
      options.api === undefined
        ? undefined
        : createApiServer(
            { logger: deps.logger, handlers: WAITING_HANDLERS, publicRoutes: routes },
            { ...options.api, waitingToStart: true },
          );
  }

  get apiPort(): number {
    return this.api?.port ?? 0;
  }

  /** The mesh address (`host:port`), once started. */
  get clusterAddress(): string {
    return this.member.address;
  }

  async start(): Promise<void> {
    this.started = true;
    try {
      await this.member.start();
      await this.api?.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Names the active backend in the API's answers (undefined: none known). */
  setLeader(leader: string | undefined): void {
    this.api?.setWaitingToStart(true, leader);
  }

  /** What the leader takes over; the standby keeps answering until {@link Handover.release}. */
  handOver(): Handover {
    const clusterPort = Number(this.member.address.slice(this.member.address.lastIndexOf(':') + 1));
    const self = this.member.address;
    const members = this.member
      .members()
      .map((m) => m.address)
      .filter((a) => a !== self);
    const release = async (): Promise<void> => {
      // The old leader's link is cut, not closed politely: a frozen process never answers the
      // close handshake, which would hold the takeover for a second. Frontends get a proper leave.
      for (const m of this.member.members()) {
        if (m.address !== self && m.roles.includes('backend')) this.member.linkTo(m.address)?.terminate();
      }
      await this.stop();
    };
    return { apiPort: this.apiPort, clusterPort, members, release };
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.api?.stop();
    await this.member.stop();
  }
}
