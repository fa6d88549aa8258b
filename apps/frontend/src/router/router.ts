import { EventEmitter } from 'node:events';
import type { ActorRef, ClusterMember, MembershipEvent, Message } from '@shoal/cluster';
import { type FrontProtocol, GOSSIP_DELTAS_TOPIC, type GossipSyncReport, PATHS } from '@shoal/front-protocol';
import {
  type Clock,
  GossipError,
  PenaltyBox,
  queueDeltas,
  RebroadcastQueue,
  RebroadcastScheduler,
  type RejectReason,
  systemClock,
} from '@shoal/gossip';
import type { Logger } from '@shoal/log';
import { errorMessage, FrontendError } from '../errors.js';
import type { FrontendMetrics, GossipOutcome } from '../metrics.js';
import { GossipIntake } from './gossip-in.js';
import { GraphSync } from './graph-sync.js';
import { PeerGossip, ROUTED_TYPES } from './peer-gossip.js';
import { QueryAnswerer } from './queries.js';
import {
  type FrontendRouterOptions,
  type ResolvedRouterOptions,
  type RouterPeer,
  resolveRouterOptions,
} from './types.js';

/** Collaborators of a {@link FrontendRouter}. */
export interface FrontendRouterDeps {
  member: ClusterMember;
  proto: FrontProtocol;
  logger: Logger;
  metrics: FrontendMetrics;
  clock?: Clock;
}

/** Events of a {@link FrontendRouter}. */
export interface FrontendRouterEvents {
  /** The graph copy's readiness may have changed. */
  'ready-changed': [];
  /** The backend decided on a forwarded message; `origins` are the peers that sent it. */
  decided: [key: string, accepted: boolean, origins: string[]];
  /** One gossip message from a peer and what became of it. */
  received: [kind: string, outcome: GossipOutcome];
  /** A peer sent invalid gossip: `warn` (warning sent) or `ignore` (its gossip ignored for a while). */
  penalised: [peerId: string, action: 'warn' | 'ignore', reason: RejectReason];
}

/**
 * The frontend gossip router (issue 6, DESIGN 4): one per frontend process, shared by its
 * connections. It keeps the graph copy ({@link GraphSync}), pre-checks, de-duplicates and
 * forwards gossip ({@link GossipIntake}), answers queries ({@link QueryAnswerer}), rebroadcasts
 * accepted gossip on the broadcast interval, staggered per connection, and runs our own sync
 * with peers the backend picks ({@link OwnSync}). Registered at `PATHS.frontRouter`.
 */
export class FrontendRouter extends EventEmitter<FrontendRouterEvents> {
  readonly sync: GraphSync;
  readonly intake: GossipIntake;
  readonly queue = new RebroadcastQueue();
  readonly #options: ResolvedRouterOptions;
  readonly #clock: Clock;
  readonly #scheduler: RebroadcastScheduler;
  readonly #penalties: PenaltyBox;
  readonly #queries: QueryAnswerer;
  readonly #conns: PeerGossip;
  #whenReady: (() => void)[] = [];
  #ref: ActorRef | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastReady = false;
  readonly #onMember = (e: MembershipEvent): void => this.#memberEvent(e);
  readonly #onDrain = (): void => this.intake.linkDrained();

  constructor(
    private readonly deps: FrontendRouterDeps,
    options: FrontendRouterOptions = {},
  ) {
    super();
    this.#options = resolveRouterOptions(options);
    this.#clock = deps.clock ?? systemClock;
    const now = (): number => this.#clock.now();
    const log = deps.logger.child({ component: 'gossip' });
    this.sync = new GraphSync(
      {
        member: deps.member,
        proto: deps.proto,
        logger: log,
        self: () => this.#self(),
        now,
        changed: () => this.#readyChanged(),
        published: (deltas) => {
          try {
            queueDeltas(this.queue, deltas);
          } catch (err) {
            if (!(err instanceof GossipError)) throw err;
            log.warn('deltas not queued for rebroadcast', { code: err.code, error: err.message });
          }
        },
      },
      this.#options.snapshotTimeoutMs,
    );
    this.#penalties = new PenaltyBox(this.#clock, { ignoreMs: this.#options.ignoreMs });
    this.intake = new GossipIntake(
      {
        replica: this.sync.replica,
        queue: this.queue,
        logger: log,
        now,
        forward: (items) =>
          deps.member.mediator.send(
            PATHS.router,
            deps.proto.gossipInBatch.of({ replyTo: this.#self(), items }),
            {
              sender: this.#self(),
            },
          ),
        penalise: (peer, reason, detail) => this.#penalise(peer, reason, detail),
        ignored: (peer) => this.#penalties.isIgnored(peer),
        received: (kind, outcome) => {
          deps.metrics.gossipReceived(kind, outcome);
          this.emit('received', kind, outcome);
        },
        inFlightChanged: (n) => deps.metrics.gossipInFlight(n),
        decided: (key, accepted, origins) => this.emit('decided', key, accepted, origins),
      },
      { forwardTimeoutMs: this.#options.forwardTimeoutMs, maxInFlight: this.#options.maxInFlight },
    );
    this.#scheduler = new RebroadcastScheduler(
      {
        queue: this.queue,
        clock: this.#clock,
        send: (peerId, messages) => {
          if (this.#conns.rebroadcast(peerId, messages)) deps.metrics.gossipRebroadcast(messages.length);
          else
            log.warn('rebroadcast dropped: connection too slow', { peer: peerId, messages: messages.length });
        },
      },
      { intervalMs: this.#options.broadcastIntervalMs },
    );
    this.#queries = new QueryAnswerer({
      graph: () => this.sync.replica.graph,
      whenReady: (fn) => this.#onceReady(fn),
      warn: (peer, text) => this.#conns.warn(peer.id, text),
      setFilter: (peerId, f) => this.#scheduler.setFilter(peerId, f),
      answered: (type) => deps.metrics.gossipQuery(type),
    });
    this.#conns = new PeerGossip(
      {
        scheduler: this.#scheduler,
        queries: this.#queries,
        intake: this.intake,
        graph: () => this.sync.replica.graph,
        onceReady: (fn) => this.#onceReady(fn),
        report: (r) => this.#report(r),
        logger: deps.logger,
        now,
      },
      this.#options,
    );
  }

  /** Whether `/ready` may be true as far as gossip goes (graph copy in sync). */
  get ready(): boolean {
    return this.sync.ready;
  }

  /** Why not (empty when ready). */
  get reason(): string {
    return this.sync.reason;
  }

  start(): void {
    const m = this.deps.member;
    this.#ref = m.spawn<0>('frontend-router', {
      initialState: 0,
      onCrash: 'resume',
      handle: (s, msg) => {
        this.#onMesh(msg);
        return s;
      },
    });
    m.mediator.put(PATHS.frontRouter, this.#ref);
    m.mediator.subscribe(GOSSIP_DELTAS_TOPIC, this.#ref);
    m.on('drain', this.#onDrain);
    for (const k of ['member-up', 'member-unreachable', 'member-reachable', 'member-removed'] as const)
      m.on(k, this.#onMember);
    this.#scheduler.start();
    this.#timer = setInterval(() => this.#tick(), this.#options.checkIntervalMs);
    this.#timer.unref();
    this.sync.tick();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.intake.stop();
    this.#scheduler.stop();
    const m = this.deps.member;
    m.off('drain', this.#onDrain);
    for (const k of ['member-up', 'member-unreachable', 'member-reachable', 'member-removed'] as const)
      m.off(k, this.#onMember);
    if (this.#ref) {
      m.mediator.unsubscribe(GOSSIP_DELTAS_TOPIC, this.#ref);
      m.mediator.remove(PATHS.frontRouter);
      m.actors.stopActor(this.#ref);
      this.#ref = undefined;
    }
    for (const id of this.#conns.ids()) this.detach(id);
    this.#whenReady = [];
  }

  /** Messages queued for peers and not yet handed to their sockets (back-pressure). */
  get backlog(): number {
    return this.#conns.backlog;
  }

  /** Flushes every connection's rebroadcast now (operators' and tests' shortcut); returns messages sent. */
  flushRebroadcast(): number {
    return this.#scheduler.flushDue(this.#clock.now() + this.#options.broadcastIntervalMs);
  }

  /** A connection finished `init`: it takes part in gossip from now on. */
  attach(peer: RouterPeer): void {
    this.#conns.attach(peer);
  }

  /** The connection closed. */
  detach(peerId: string): void {
    this.#conns.detach(peerId);
  }

  /** Whether the router takes this BOLT message type from peers. */
  handles(type: number): boolean {
    return ROUTED_TYPES.has(type);
  }

  /** A gossip or gossip-query message from an attached peer. */
  onPeerMessage(peerId: string, raw: Uint8Array): void {
    this.#conns.onMessage(peerId, raw);
  }

  #self(): ActorRef {
    if (!this.#ref) throw new FrontendError('FRONTEND_BAD_STATE', 'gossip router not started');
    return this.#ref;
  }

  #onMesh(msg: Message): void {
    const p = this.deps.proto;
    if (p.gossipVerdictBatch.is(msg)) for (const v of msg.value.items) this.intake.verdict(v);
    else if (p.gossipVerdict.is(msg)) this.intake.verdict(msg.value);
    else if (p.graphSnapshot.is(msg)) this.sync.onSnapshot(msg.value);
    else if (p.graphDeltas.is(msg)) this.sync.onDeltas(msg.value);
    else this.deps.logger.warn('gossip router: unexpected mesh message', { type: msg.type.name });
    this.#graphMetrics();
  }

  #memberEvent(e: MembershipEvent): void {
    if (!e.member.roles.includes('backend')) return;
    const lost = e.kind === 'member-unreachable' || e.kind === 'member-removed';
    if (lost && !this.sync.routerAddresses().some((a) => a !== e.member.address)) this.intake.clear();
    this.sync.backendEvent(e.kind, e.member.address);
  }

  #tick(): void {
    this.sync.tick();
    this.intake.sweep();
    this.#penalties.sweep();
    this.#graphMetrics();
  }

  #graphMetrics(): void {
    const g = this.sync.replica.graph;
    this.deps.metrics.graphSize(g.nodeCount, g.channelCount);
  }

  #readyChanged(): void {
    const ready = this.sync.ready;
    if (ready && this.#whenReady.length > 0) {
      const run = this.#whenReady;
      this.#whenReady = [];
      for (const fn of run) fn();
    }
    if (ready !== this.#lastReady) {
      this.#lastReady = ready;
      this.emit('ready-changed');
    }
  }

  #onceReady(fn: () => void): void {
    if (this.sync.ready) fn();
    else this.#whenReady.push(fn);
  }

  #report(r: GossipSyncReport): void {
    try {
      this.deps.member.mediator.send(PATHS.router, this.deps.proto.gossipSyncReport.of(r), {
        sender: this.#self(),
      });
    } catch (err) {
      this.deps.logger.warn('GossipSyncReport not delivered', { error: errorMessage(err) });
    }
  }

  #penalise(peerId: string, reason: RejectReason, detail: string): void {
    const action = this.#penalties.recordInvalid(peerId);
    this.deps.logger.warn('invalid gossip from a peer', { peer: peerId, reason, detail, action });
    if (action === 'warn') this.#conns.warn(peerId, `invalid gossip (${reason}): ${detail}`);
    this.emit('penalised', peerId, action, reason);
  }
}
