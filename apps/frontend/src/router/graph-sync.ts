import type { ActorRef, ClusterMember } from '@shoal/cluster';
import { type FrontProtocol, type GraphDeltas, type GraphSnapshot, PATHS } from '@shoal/front-protocol';
import { GossipError, type GraphDelta, GraphReplica } from '@shoal/gossip';
import type { Logger } from '@shoal/log';
import { errorMessage } from '../errors.js';

/** The backend role on the mesh (as in readiness.ts). */
const BACKEND_ROLE = 'backend';

/** What {@link GraphSync} needs. */
export interface GraphSyncDeps {
  member: ClusterMember;
  proto: FrontProtocol;
  logger: Logger;
  /** The router actor (`replyTo` of the subscription). */
  self: () => ActorRef;
  /** Readiness of the copy may have changed. */
  changed: () => void;
  /** A published batch was taken (for rebroadcast). */
  published: (deltas: readonly GraphDelta[]) => void;
  now: () => number;
}

type State = 'idle' | 'subscribing' | 'loading' | 'live';

/**
 * How long a `GraphSubscribe` may go without its first snapshot batch before we send another;
 * doubled for each unanswered one, up to the stall timeout. A subscription sent just as a new
 * backend joins can be lost with a mesh link replaced by a simultaneous dial, and the stall
 * timeout alone (15 s) would keep the frontend not ready that long after a failover.
 */
const FIRST_ANSWER_MS = 2000;

/**
 * Keeps the frontend's {@link GraphReplica} in step with the backend `Router` (DESIGN 4 "Routing
 * table on frontends"): `GraphSubscribe` when a router is registered and we have no live
 * subscription (start, backend lost and back, a gap, a new `generation`, a stream that stalls),
 * then the `GraphSnapshot` stream, then `GraphDeltas` from the topic.
 */
export class GraphSync {
  readonly replica = new GraphReplica();
  #state: State = 'idle';
  #snapshot: { id: bigint; next: number } | undefined;
  #generation: bigint | undefined;
  /** Addresses serving `PATHS.router` when we subscribed (the one we follow, when unique). */
  #source: string[] = [];
  #lastActivity = 0;
  #subscribes = 0;
  /** Consecutive subscriptions without a snapshot batch in answer. */
  #unanswered = 0;
  #why = 'waiting for the backend router';

  constructor(
    private readonly deps: GraphSyncDeps,
    private readonly timeoutMs: number,
  ) {}

  /** Subscriptions sent so far (tests and logs). */
  get subscribes(): number {
    return this.#subscribes;
  }

  get state(): State {
    return this.#state;
  }

  /**
   * Whether `/ready` may be true as far as the graph goes: the copy is live, or no up backend
   * serves a graph (a backend without a router has nothing to be in sync with).
   */
  get ready(): boolean {
    return (this.#state === 'live' && this.replica.ready) || this.routerAddresses().length === 0;
  }

  /** Why the copy is not in sync (empty when it is). */
  get reason(): string {
    if (this.ready) return '';
    if (this.#state === 'loading') return `graph copy loading (snapshot batch ${this.#snapshot?.next ?? 0})`;
    return `graph copy not in sync: ${this.#why}`;
  }

  /** Up backend members that register `PATHS.router`. */
  routerAddresses(): string[] {
    const where = this.deps.member.mediator.registeredPaths().get(PATHS.router) ?? [];
    const up = new Set(
      this.deps.member
        .members()
        .filter(
          (m) =>
            m.status === 'up' && m.roles.includes(BACKEND_ROLE) && m.address !== this.deps.member.address,
        )
        .map((m) => m.address),
    );
    return where.filter((a) => up.has(a));
  }

  /** Periodic check: subscribe when idle and a router exists; retry a stalled subscription. */
  tick(): void {
    if (this.#state === 'idle') {
      if (this.routerAddresses().length > 0) this.subscribe('backend router available');
    } else if (
      this.#state === 'subscribing' &&
      this.deps.now() - this.#lastActivity > Math.min(this.timeoutMs, FIRST_ANSWER_MS * 2 ** this.#unanswered)
    ) {
      this.#unanswered++;
      this.#toIdle('no answer to GraphSubscribe');
      if (this.routerAddresses().length > 0) this.subscribe('no answer to the last subscription');
    } else if (this.#state !== 'live' && this.deps.now() - this.#lastActivity > this.timeoutMs) {
      this.#toIdle('the snapshot stream stalled');
    } else if (this.#state === 'live' && this.#source.length === 1) {
      const src = this.#source[0]!;
      if (!this.routerAddresses().includes(src)) this.#toIdle(`backend router at ${src} went away`);
    }
    this.deps.changed();
  }

  /** A backend member went away or came back: follow a router again from a fresh snapshot. */
  backendEvent(kind: string, address: string): void {
    const lost = kind === 'member-unreachable' || kind === 'member-removed';
    // Another backend run numbers its batches afresh: adopt the generation its deltas carry.
    if (lost || this.#state !== 'live') this.#generation = undefined;
    if (lost && (this.#source.length !== 1 || this.#source[0] === address))
      this.#toIdle(`backend ${address} lost`);
    else if (!lost && this.#state !== 'live') this.#toIdle(`backend ${address} up`);
    this.tick();
  }

  /** Sends `GraphSubscribe` (replacing any stream in progress). */
  subscribe(why: string): void {
    const msg = this.deps.proto.graphSubscribe.of({ replyTo: this.deps.self() });
    this.#lastActivity = this.deps.now();
    this.#source = this.routerAddresses();
    try {
      this.deps.member.mediator.send(PATHS.router, msg, { sender: this.deps.self() });
    } catch (err) {
      this.deps.logger.warn('GraphSubscribe not delivered', { error: errorMessage(err) });
      this.#state = 'idle';
      return;
    }
    this.#subscribes++;
    this.#state = 'subscribing';
    this.#why = 'subscribed, waiting for the snapshot';
    this.deps.logger.info('graph copy: subscribing', { why, subscribes: this.#subscribes });
    this.deps.changed();
  }

  onSnapshot(v: GraphSnapshot): void {
    if (v.index === 0) {
      this.#unanswered = 0;
      this.#snapshot = { id: v.snapshotId, next: 0 };
      this.replica.beginSnapshot(Number(v.seq));
      this.#state = 'loading';
    }
    const s = this.#snapshot;
    if (!s || s.id !== v.snapshotId) return; // a batch of an older stream
    if (v.index !== s.next) {
      this.#toIdle(`snapshot batch ${v.index} arrived, expected ${s.next}`);
      this.tick();
      return;
    }
    this.#lastActivity = this.deps.now();
    const applied = this.#apply(() => {
      this.replica.applySnapshotBatch(v.deltas);
      return true;
    }, `snapshot batch ${v.index}`);
    if (!applied) return;
    s.next++;
    if (!v.last) return;
    this.#snapshot = undefined;
    const r = this.replica.endSnapshot();
    if (r === 'gap') {
      this.#toIdle('gap in the deltas buffered during the snapshot');
      this.tick();
      return;
    }
    this.#state = 'live';
    this.#why = '';
    this.deps.logger.info('graph copy in sync', {
      seq: this.replica.seq,
      nodes: this.replica.graph.nodeCount,
      channels: this.replica.graph.channelCount,
      batches: s.next,
    });
    this.deps.changed();
  }

  onDeltas(v: GraphDeltas): void {
    if (this.#generation === undefined) this.#generation = v.generation;
    else if (this.#generation !== v.generation) {
      this.#toIdle(`new backend generation ${v.generation}`);
      this.#generation = v.generation;
      this.tick();
      return;
    }
    const r = this.#apply(() => this.replica.applyDeltas(v.deltas, Number(v.seq)), `deltas ${v.seq}`);
    if (r === undefined) return;
    if (r === 'applied' || r === 'buffered') this.deps.published(v.deltas);
    if (r === 'gap' && this.#state === 'live') {
      this.#toIdle(`gap in the deltas at seq ${v.seq} (have ${this.replica.seq})`);
      this.tick();
    }
  }

  /** Runs a graph change; a delta that does not fit the copy means it is wrong: re-subscribe. */
  #apply<T>(change: () => T, what: string): T | undefined {
    try {
      return change();
    } catch (err) {
      if (!(err instanceof GossipError)) throw err;
      this.replica.beginSnapshot(-1);
      this.#toIdle(`${what} does not fit the graph copy: ${err.message}`);
      this.tick();
      return undefined;
    }
  }

  #toIdle(why: string): void {
    if (this.#state !== 'idle') this.deps.logger.warn('graph copy: re-subscribing', { why });
    this.#state = 'idle';
    this.#why = why;
    this.#snapshot = undefined;
    this.deps.changed();
  }
}
