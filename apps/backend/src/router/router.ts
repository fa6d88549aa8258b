import type { ActorRef, ClusterMember, Message } from '@shoal/cluster';
import {
  type FrontProtocol,
  GOSSIP_DELTAS_TOPIC,
  type GossipInBatch,
  type GossipInItem,
  type GossipVerdict,
  PATHS,
} from '@shoal/front-protocol';
import {
  type Clock,
  type FundingOutputLookup,
  type GossipDecision,
  GossipProcessor,
  type GossipProcessorOptions,
  type GraphDelta,
  type GraphPersistence,
  systemClock,
} from '@shoal/gossip';
import type { Logger } from '@shoal/log';
import type { Registry } from '@shoal/metrics';
import { BackendError, errorMessage } from '../errors.js';
import { GossipMetrics } from './metrics.js';
import { OwnAnnouncer, type OwnNode } from './own-announcement.js';
import { ChannelSpendWatch, type SpendWatchDeps } from './spends.js';
import { sendPaced, splitBySize } from './stream.js';
import { type GossipSyncOptions, GossipSyncTracker } from './sync-tracker.js';

/** Collaborators of the {@link GossipRouter}. */
export interface GossipRouterDeps {
  member: ClusterMember;
  proto: FrontProtocol;
  logger: Logger;
  /** Where the graph is kept (the store's `graph` tables in the backend). */
  persistence?: GraphPersistence;
  /** BOLT 7 funding check; without it every `channel_announcement` is `funding_missing`. */
  funding?: FundingOutputLookup;
  /** Funding spends and new blocks (BOLT 7 pruning); omitted when there is no chain source. */
  spends?: Omit<SpendWatchDeps, 'target' | 'logger'>;
  registry?: Registry;
  clock?: Clock;
  /** Our node, to announce once we have a public channel; omitted: never announced. */
  ownNode?: OwnNode;
}

/** Options of the {@link GossipRouter}; durations in milliseconds. */
export interface GossipRouterOptions {
  chainHash: Uint8Array;
  /** `pruneStale` period (BOLT 7 "Recommendation on Pruning Stale Entries"); default one hour. */
  pruneIntervalMs?: number;
  /** Deltas per `GraphSnapshot` batch (default 500; the mesh frame limit is 1 MiB). */
  snapshotBatch?: number;
  /** Gossip messages validated at once; more wait in the actor's mailbox (default 1024). */
  maxInFlight?: number;
  sync?: GossipSyncOptions;
  /** Processor rules (stale age, rate limits...) besides the chain hash. */
  processor?: Omit<GossipProcessorOptions, 'chainHash'>;
}

/** Verdicts per `GossipVerdictBatch` at most (a verdict's detail is a short sentence). */
const MAX_VERDICTS = 2000;
/** Encoded bytes per published `GraphDeltas` at most (well under the mesh's 1 MiB frames). */
const MAX_DELTAS_BYTES = 512 * 1024;
const HOUR_MS = 3_600_000;
const NO_SIGNER = new Uint8Array(0);

/**
 * The backend `Router` (DESIGN.md §4 "Gossip in", "Routing table on frontends"), registered at
 * `/backend/router`: decides each `GossipIn` with the {@link GossipProcessor} (BOLT 7 receiver
 * rules, funding outputs from the chain source) and answers `GossipVerdict`; streams the graph to
 * a frontend's `GraphSubscribe` in `GraphSnapshot` batches; publishes every committed change as
 * `GraphDeltas` on `gossip-deltas`; follows our own syncs (`GossipSyncReport`); prunes stale and
 * spent channels; announces our node once it has a public channel.
 */
export class GossipRouter {
  readonly processor: GossipProcessor;
  readonly sync: GossipSyncTracker;
  /** Identifies this run in `GraphDeltas` (its start time, ms). */
  readonly generation: bigint;
  readonly #deps: GossipRouterDeps;
  readonly #options: GossipRouterOptions;
  readonly #log: Logger;
  readonly #metrics: GossipMetrics | undefined;
  readonly #spends: ChannelSpendWatch | undefined;
  readonly #own: OwnAnnouncer | undefined;
  readonly #clock: Clock;
  readonly #streams = new Set<Promise<void>>();
  readonly #waiting: (() => void)[] = [];
  #self: ActorRef | undefined;
  #published = 0n;
  /** Committed deltas not yet published: coalesced until the next turn of the event loop. */
  #unpublished: GraphDelta[] = [];
  #flush: NodeJS.Immediate | undefined;
  #snapshotIds = 0n;
  #inFlight = 0;
  /** Verdicts on batched items not yet sent, per frontend router: coalesced like the deltas. */
  #verdicts = new Map<string, { to: ActorRef; items: GossipVerdict[] }>();
  #verdictFlush: NodeJS.Immediate | undefined;
  /** Gossip received from frontends in this run, by type: all, and signature-checked there. */
  readonly #received: Record<string, { all: number; prechecked: number }> = {};
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(deps: GossipRouterDeps, options: GossipRouterOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#log = deps.logger.child({ component: 'router' });
    this.#clock = deps.clock ?? systemClock;
    this.generation = BigInt(this.#clock.now());
    this.#metrics = deps.registry === undefined ? undefined : new GossipMetrics(deps.registry);
    const noFunding: FundingOutputLookup = { lookup: async () => undefined };
    this.processor = new GossipProcessor(
      {
        funding: deps.funding ?? noFunding,
        clock: this.#clock,
        logger: this.#log,
        ...(deps.persistence === undefined ? {} : { persistence: deps.persistence }),
      },
      { ...options.processor, chainHash: options.chainHash },
    );
    this.sync = new GossipSyncTracker(this.#log, options.sync);
    this.#spends =
      deps.spends === undefined
        ? undefined
        : new ChannelSpendWatch({ ...deps.spends, target: this.processor, logger: this.#log });
    this.#own =
      deps.ownNode === undefined
        ? undefined
        : new OwnAnnouncer({
            node: deps.ownNode,
            graph: this.processor.graph,
            submit: (raw) => this.submit(raw, false),
            clock: this.#clock,
            logger: this.#log,
          });
  }

  /** The router actor's ref (after `start`). */
  get ref(): ActorRef {
    if (this.#self === undefined) throw new BackendError('BACKEND_BAD_STATE', 'router not started');
    return this.#self;
  }

  /** Loads the persisted graph (before the mesh member starts, so frontends never find it empty). */
  async load(): Promise<void> {
    await this.processor.start();
  }

  /** Registers `/backend/router` (the member is started), watches funding outputs, starts the timer. */
  start(): void {
    this.#unsubscribe = this.processor.subscribe((deltas) => this.#committed(deltas));
    const m = this.#deps.member;
    this.#self = m.spawn('router', {
      initialState: undefined,
      onCrash: 'resume',
      handle: (_s: undefined, msg: Message, ctx) => this.#handle(msg, ctx.sender),
    });
    m.mediator.put(PATHS.router, this.#self);
    this.#spends?.start([...this.processor.graph.channels()].map((c) => c.scid));
    this.#timer = setInterval(() => void this.pruneStale(), this.#options.pruneIntervalMs ?? HOUR_MS);
    this.#timer.unref();
    this.#updateGauges();
    void this.#own?.check();
  }

  async stop(): Promise<void> {
    this.#publish();
    this.#sendVerdicts();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#deps.member.mediator.remove(PATHS.router);
    this.#unsubscribe?.();
    await this.#spends?.stop();
    await Promise.allSettled([...this.#streams]);
    await this.processor.stop();
    this.#log.info('gossip router stopped', { received: this.#received });
  }

  /** `InitializeConnection.doSync` for a peer: only with a funding check to validate what comes. */
  doSync(nodeIdHex: string): boolean {
    return this.#deps.funding !== undefined && this.sync.wantSync(nodeIdHex);
  }

  /** Blocks the spend watch saw connected (-1 without a chain source). */
  get blocksSeen(): number {
    return this.#spends?.blocksSeen ?? -1;
  }

  /** Resolves once funding outputs of the loaded and added channels are watched (tests, logs). */
  async spendWatchIdle(): Promise<void> {
    await this.#spends?.idle();
  }

  /**
   * Validates and commits one gossip message, counting the decision. `checkedSigner`: the node id
   * a frontend checked a `channel_update` against (see `GossipInItem.signer`).
   */
  async submit(
    raw: Uint8Array,
    signaturesChecked: boolean,
    checkedSigner?: Uint8Array,
  ): Promise<GossipDecision> {
    const t0 = performance.now();
    const d = await this.processor.submit(
      raw,
      checkedSigner === undefined ? { signaturesChecked } : { signaturesChecked, checkedSigner },
    );
    const type = d.kind ?? 'unknown';
    this.#metrics?.decision(type, d.accepted, d.accepted ? '' : d.reason, (performance.now() - t0) / 1000);
    if (!d.accepted) this.#log.debug('gossip rejected', { type, reason: d.reason, detail: d.detail });
    return d;
  }

  /** BOLT 7 stale-channel pruning (the timer's work; tests call it directly). */
  async pruneStale(): Promise<readonly GraphDelta[]> {
    try {
      const removed = await this.processor.pruneStale();
      if (removed.length > 0) this.#log.info('stale channels pruned', { deltas: removed.length });
      return removed;
    } catch (err) {
      this.#log.error('stale channel pruning failed', { err });
      return [];
    }
  }

  // ---- actor ---------------------------------------------------------------------------------

  #handle(msg: Message, sender: ActorRef | undefined): undefined | Promise<undefined> {
    const p = this.#deps.proto;
    if (p.gossipInBatch.is(msg)) return this.#gossipInBatch(msg.value);
    if (p.gossipIn.is(msg)) {
      const { replyTo, ...item } = msg.value;
      this.#start({ ...item, signer: NO_SIGNER }, replyTo, false);
      return this.#admit();
    }
    if (p.graphSubscribe.is(msg)) this.#stream(msg.value.replyTo);
    else if (p.gossipSyncReport.is(msg)) this.sync.report(msg.value);
    else
      this.#log.warn('unexpected message for the router', { type: msg.type.name, sender: sender?.address });
    return undefined;
  }

  /** Starts every item's decision, each as if it came alone; verdicts go back in batches. */
  #gossipInBatch(b: GossipInBatch): undefined | Promise<undefined> {
    for (const item of b.items) this.#start(item, b.replyTo, true);
    return this.#admit();
  }

  #start(item: GossipInItem, replyTo: ActorRef, batched: boolean): void {
    this.#inFlight++;
    void this.#decide(item, replyTo, batched).finally(() => {
      this.#inFlight--;
      if (this.#inFlight < this.#maxInFlight) this.#waiting.shift()?.();
    });
  }

  get #maxInFlight(): number {
    return this.#options.maxInFlight ?? 1024;
  }

  /** The actor takes its next message at once, or once fewer than `maxInFlight` decisions run. */
  #admit(): undefined | Promise<undefined> {
    if (this.#inFlight < this.#maxInFlight) return undefined;
    return new Promise<undefined>((resolve) => this.#waiting.push(() => resolve(undefined)));
  }

  async #decide(m: GossipInItem, replyTo: ActorRef, batched: boolean): Promise<void> {
    let verdict: GossipVerdict;
    try {
      const d = await this.submit(m.message, m.signaturesChecked, m.signer.length > 0 ? m.signer : undefined);
      const kind = d.kind ?? 'unknown';
      const count = this.#received[kind] ?? { all: 0, prechecked: 0 };
      this.#received[kind] = count;
      count.all++;
      if (m.signaturesChecked) count.prechecked++;
      verdict = d.accepted
        ? { id: m.id, accepted: true, reason: '', detail: '' }
        : { id: m.id, accepted: false, reason: d.reason, detail: d.detail };
    } catch (err) {
      // A store failure (e.g. a deposed leader) is not the sender's fault: no penalty reason.
      this.#log.error('gossip decision failed', { err });
      verdict = { id: m.id, accepted: false, reason: 'internal', detail: errorMessage(err) };
    }
    if (batched) {
      const key = `${replyTo.address}\n${replyTo.incarnation}\n${replyTo.path}`;
      const pending = this.#verdicts.get(key);
      if (pending) pending.items.push(verdict);
      else this.#verdicts.set(key, { to: replyTo, items: [verdict] });
      this.#verdictFlush ??= setImmediate(() => this.#sendVerdicts());
      return;
    }
    this.#tellVerdict(replyTo, this.#deps.proto.gossipVerdict.of(verdict));
  }

  /** Sends the verdicts decided in this turn of the event loop, one batch per frontend router. */
  #sendVerdicts(): void {
    if (this.#verdictFlush !== undefined) clearImmediate(this.#verdictFlush);
    this.#verdictFlush = undefined;
    const all = this.#verdicts;
    this.#verdicts = new Map();
    for (const { to, items } of all.values()) {
      for (let i = 0; i < items.length; i += MAX_VERDICTS) {
        const part = items.slice(i, i + MAX_VERDICTS);
        this.#tellVerdict(to, this.#deps.proto.gossipVerdictBatch.of({ items: part }));
      }
    }
  }

  #tellVerdict(to: ActorRef, msg: Message): void {
    try {
      this.#deps.member.tell(to, msg, this.#self);
    } catch (err) {
      this.#log.debug('gossip verdict not delivered', { to: to.address, error: errorMessage(err) });
    }
  }

  /** Streams the whole graph to a joining frontend, paced by its mesh link. */
  #stream(replyTo: ActorRef): void {
    // The graph already holds the coalesced deltas: publish them so `seq` covers them.
    this.#publish();
    const snapshotId = ++this.#snapshotIds;
    const { batches } = this.processor.snapshot(this.#options.snapshotBatch ?? 500);
    // The published sequence this snapshot reflects (deltas split for size count one each).
    const seq = this.#published;
    if (batches.length === 0) batches.push([]);
    const proto = this.#deps.proto;
    const messages = batches.map((deltas, index) =>
      proto.graphSnapshot.of({ snapshotId, seq, index, last: index === batches.length - 1, deltas }),
    );
    const work = sendPaced(this.#deps.member, replyTo, messages, this.ref).then(
      (n) => this.#log.info('graph snapshot sent', { to: replyTo.address, batches: n, seq: seq.toString() }),
      (err: unknown) =>
        this.#log.warn('graph snapshot stream stopped', { to: replyTo.address, error: errorMessage(err) }),
    );
    this.#streams.add(work);
    void work.finally(() => this.#streams.delete(work));
  }

  /**
   * A committed batch: watched, counted, maybe our announcement; published with the other batches
   * committed in the same turn of the event loop (one `GraphDeltas` for a burst, not one per
   * message), split when large.
   */
  #committed(deltas: readonly GraphDelta[]): void {
    for (const d of deltas) this.#unpublished.push(d);
    this.#flush ??= setImmediate(() => this.#publish());
    this.#spends?.onDeltas(deltas);
    this.#updateGauges();
    if (deltas.some((d) => d.kind === 'channel_added')) void this.#own?.check();
  }

  #publish(): void {
    if (this.#flush !== undefined) clearImmediate(this.#flush);
    this.#flush = undefined;
    const deltas = this.#unpublished;
    this.#unpublished = [];
    if (deltas.length === 0 || this.#self === undefined) return;
    const proto = this.#deps.proto;
    for (const part of splitBySize(deltas, MAX_DELTAS_BYTES)) {
      const seq = ++this.#published;
      const msg = proto.graphDeltas.of({ seq, generation: this.generation, deltas: part });
      try {
        this.#deps.member.mediator.publish(GOSSIP_DELTAS_TOPIC, msg, { sender: this.#self });
      } catch (err) {
        // A frontend that misses a batch sees the gap in `seq` and asks for a snapshot.
        this.#log.warn('graph deltas not delivered to every frontend', { error: errorMessage(err) });
      }
    }
  }

  #updateGauges(): void {
    const g = this.processor.graph;
    this.#metrics?.graph(g.nodeCount, g.channelCount);
  }
}
