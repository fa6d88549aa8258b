import { type Secp256k1, secp256k1 } from '@shoal/crypto';
import {
  CHANNEL_FLAG_DIRECTION,
  DEFAULT_MAX_FUTURE_SECONDS,
  SPENT_FORGET_DELAY_BLOCKS,
  STALE_UPDATE_SECONDS,
} from './constants.js';
import { GossipError } from './errors.js';
import { RoutingGraph } from './graph.js';
import { checkChannelUpdateSignature, decodeGossip, type Gossip } from './precheck.js';
import { removalDeltas, spentToForget, staleChannels } from './pruning.js';
import { type RateLimit, RateLimiter } from './rate-limit.js';
import type { Clock, FundingOutputLookup, GossipLogger, GraphDelta, GraphPersistence } from './types.js';
import { systemClock } from './types.js';
import { nodeKey } from './util.js';
import {
  type ValidationContext,
  validateChannelAnnouncement,
  validateChannelUpdate,
  validateNodeAnnouncement,
} from './validate.js';
import type { RejectReason } from './verdict.js';

/** What the backend's gossip processor needs. */
export interface GossipProcessorDeps {
  funding: FundingOutputLookup;
  persistence?: GraphPersistence;
  clock?: Clock;
  logger?: GossipLogger;
  ec?: Secp256k1;
}

/** Options of the gossip processor (defaults from BOLT 7). */
export interface GossipProcessorOptions {
  chainHash: Uint8Array;
  maxFutureSeconds?: number;
  /** Prune channels whose oldest latest-update is older than this (default two weeks). */
  staleSeconds?: number;
  /** Forget spent channels this many blocks after the spend (default 72). */
  spentForgetBlocks?: number;
  /** Per channel direction (default burst 10, 12 an hour). */
  updateRateLimit?: RateLimit;
  /** Per node (default burst 5, 12 an hour). */
  nodeRateLimit?: RateLimit;
}

/** The backend's decision on one gossip message. */
export type GossipDecision =
  | { accepted: true; kind: Gossip['kind']; deltas: GraphDelta[] }
  | { accepted: false; kind?: Gossip['kind']; reason: RejectReason; detail: string };

/** Receives each committed batch with its sequence number (consecutive, from 1 after start). */
type DeltaListener = (deltas: readonly GraphDelta[], seq: number) => void;

/**
 * The canonical graph's keeper (the backend Router's logic): validates gossip against BOLT 7,
 * applies accepted messages as deltas, persists and publishes them, and prunes (spent funding
 * outputs after 72 blocks, stale channels as zombies, nodes left without channels).
 */
export class GossipProcessor {
  readonly graph: RoutingGraph;
  readonly #deps: GossipProcessorDeps;
  readonly #clock: Clock;
  readonly #ec: Secp256k1;
  readonly #chainHash: Uint8Array;
  readonly #maxFuture: number;
  readonly #staleSeconds: number;
  readonly #forgetBlocks: number;
  readonly #updateLimiter: RateLimiter;
  readonly #nodeLimiter: RateLimiter;
  readonly #listeners = new Set<DeltaListener>();
  readonly #zombies = new Map<bigint, { nodeId1: Uint8Array; nodeId2: Uint8Array }>();
  readonly #blacklist = new Set<string>();
  /** Announcements being validated, by `scid:<scid>` and `node:<node id>`. */
  readonly #pending = new Map<string, Set<Promise<unknown>>>();
  #started = false;
  #seq = 0;

  constructor(deps: GossipProcessorDeps, options: GossipProcessorOptions) {
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#ec = deps.ec ?? secp256k1;
    this.#chainHash = options.chainHash;
    this.#maxFuture = options.maxFutureSeconds ?? DEFAULT_MAX_FUTURE_SECONDS;
    this.#staleSeconds = options.staleSeconds ?? STALE_UPDATE_SECONDS;
    this.#forgetBlocks = options.spentForgetBlocks ?? SPENT_FORGET_DELAY_BLOCKS;
    this.#updateLimiter = new RateLimiter(this.#clock, options.updateRateLimit ?? { burst: 10, perHour: 12 });
    this.#nodeLimiter = new RateLimiter(this.#clock, options.nodeRateLimit ?? { burst: 5, perHour: 12 });
    this.graph = new RoutingGraph(() => this.#clock.now());
  }

  /** Loads the persisted graph. */
  async start(): Promise<void> {
    const t0 = performance.now();
    if (this.#deps.persistence) {
      for await (const batch of this.#deps.persistence.load()) this.graph.apply(batch);
    }
    this.#started = true;
    const s = this.graph.stats();
    const ms = Math.round(performance.now() - t0);
    this.#deps.logger?.info('gossip graph loaded', { nodes: s.nodes, channels: s.channels, ms });
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#listeners.clear();
  }

  /** Subscribes to committed deltas (the frontends' topic). */
  subscribe(listener: DeltaListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sequence number of the last committed batch. */
  get seq(): number {
    return this.#seq;
  }

  /**
   * The whole graph in batches, taken at once, with the sequence number it reflects: a frontend
   * applies it, then only delta batches numbered above `seq` ({@link GraphReplica}).
   */
  snapshot(batchSize = 1000): { seq: number; batches: GraphDelta[][] } {
    return { seq: this.#seq, batches: [...this.graph.snapshot(batchSize)] };
  }

  isZombie(scid: bigint): boolean {
    return this.#zombies.has(scid);
  }

  isBlacklisted(nodeId: Uint8Array): boolean {
    return this.#blacklist.has(nodeKey(nodeId));
  }

  /**
   * Validates one gossip message (whole wire bytes) and commits it when accepted.
   * `signaturesChecked`: a frontend already verified its signatures (pre-check); `checkedSigner`:
   * for a `channel_update`, the node id it was checked against (trusted only when the channel
   * accepted has that node for the update's direction; otherwise the signature is verified here).
   */
  async submit(
    raw: Uint8Array,
    opts: { signaturesChecked?: boolean; checkedSigner?: Uint8Array } = {},
  ): Promise<GossipDecision> {
    if (!this.#started) throw new GossipError('GOSSIP_NOT_STARTED', 'GossipProcessor.submit before start()');
    const d = decodeGossip(raw);
    if (!d.ok) return { accepted: false, reason: d.reason, detail: d.detail };
    const g = d.gossip;
    // Peers send an announcement then its updates and node announcements at once: those wait
    // for an announcement of theirs still being checked on chain rather than fail as unknown.
    if (g.kind === 'channel_update') await this.#settled(`scid:${g.message.shortChannelId}`);
    if (g.kind === 'node_announcement') await this.#settled(`node:${nodeKey(g.message.nodeId)}`);
    const ctx = this.#context(opts.signaturesChecked ?? false);
    if (opts.checkedSigner !== undefined) ctx.checkedSigner = opts.checkedSigner;
    switch (g.kind) {
      case 'channel_announcement': {
        const m = g.message;
        const keys = [`scid:${m.shortChannelId}`, `node:${nodeKey(m.nodeId1)}`, `node:${nodeKey(m.nodeId2)}`];
        return this.#track(keys, this.#announcement(g, ctx));
      }
      case 'channel_update':
        return this.#update(g, ctx);
      case 'node_announcement': {
        const v = validateNodeAnnouncement(g, ctx);
        if (!v.ok) return { accepted: false, kind: g.kind, ...v };
        if (!this.#nodeLimiter.take(nodeKey(g.message.nodeId))) return limited(g.kind);
        return this.#commit(g.kind, [{ kind: 'node_updated', nodeId: g.message.nodeId, announcement: raw }]);
      }
    }
  }

  #track<T>(keys: string[], work: Promise<T>): Promise<T> {
    for (const k of keys) {
      const set = this.#pending.get(k) ?? new Set();
      set.add(work);
      this.#pending.set(k, set);
    }
    const done = (): void => {
      for (const k of keys) {
        const set = this.#pending.get(k);
        set?.delete(work);
        if (set?.size === 0) this.#pending.delete(k);
      }
    };
    work.then(done, done);
    return work;
  }

  async #settled(key: string): Promise<void> {
    const set = this.#pending.get(key);
    if (set) await Promise.allSettled([...set]);
  }

  async #announcement(g: Extract<Gossip, { kind: 'channel_announcement' }>, ctx: ValidationContext) {
    const m = g.message;
    if (this.isBlacklisted(m.nodeId1) || this.isBlacklisted(m.nodeId2)) {
      return {
        accepted: false as const,
        kind: g.kind,
        reason: 'blacklisted' as const,
        detail: 'node blacklisted',
      };
    }
    if (this.#zombies.has(m.shortChannelId)) {
      return {
        accepted: false as const,
        kind: g.kind,
        reason: 'zombie' as const,
        detail: 'channel pruned as zombie',
      };
    }
    const known = this.graph.channel(m.shortChannelId);
    const conflicting =
      known !== undefined && (!sameKey(known.nodeId1, m.nodeId1) || !sameKey(known.nodeId2, m.nodeId2));
    const v = await validateChannelAnnouncement(g, ctx, this.#deps.funding, conflicting);
    if (!v.ok) return { accepted: false as const, kind: g.kind, ...v };
    const now = this.graph.channel(m.shortChannelId);
    if (now && !conflicting) {
      return {
        accepted: false as const,
        kind: g.kind,
        reason: 'duplicate' as const,
        detail: 'announced meanwhile',
      };
    }
    if (now && known) {
      // BOLT 7: a second valid announcement of the same output for other nodes means leaked keys:
      // blacklist both pairs and forget their channels.
      for (const id of [known.nodeId1, known.nodeId2, m.nodeId1, m.nodeId2]) this.#blacklist.add(nodeKey(id));
      const scids = [...this.graph.channels()]
        .filter((c) => this.isBlacklisted(c.nodeId1) || this.isBlacklisted(c.nodeId2))
        .map((c) => c.scid);
      await this.#commitDeltas(removalDeltas(this.graph, scids, 'blacklisted'));
      return {
        accepted: false as const,
        kind: g.kind,
        reason: 'blacklisted' as const,
        detail: 'conflicting announcement',
      };
    }
    const deltas: GraphDelta[] = [
      { kind: 'channel_added', scid: m.shortChannelId, announcement: g.raw, capacitySat: v.capacitySat },
    ];
    return this.#commit(g.kind, deltas);
  }

  async #update(g: Extract<Gossip, { kind: 'channel_update' }>, ctx: ValidationContext) {
    const m = g.message;
    const zombie = this.#zombies.get(m.shortChannelId);
    if (zombie && !this.graph.channel(m.shortChannelId)) {
      // A fresh, correctly signed update revives a zombie: its announcement is accepted again.
      const fresh = ctx.nowSeconds - m.timestamp < this.#staleSeconds;
      if (fresh && checkChannelUpdateSignature(g, zombie, this.#ec).ok)
        this.#zombies.delete(m.shortChannelId);
      const detail = fresh ? 'zombie channel: announcement needed' : 'zombie channel';
      return { accepted: false as const, kind: g.kind, reason: 'zombie' as const, detail };
    }
    const v = validateChannelUpdate(g, ctx);
    if (!v.ok) return { accepted: false as const, kind: g.kind, ...v };
    const direction = (m.channelFlags & CHANNEL_FLAG_DIRECTION) as 0 | 1;
    if (!this.#updateLimiter.take(`${m.shortChannelId}/${direction}`)) return limited(g.kind);
    return this.#commit(g.kind, [
      { kind: 'channel_updated', scid: m.shortChannelId, direction, update: g.raw },
    ]);
  }

  /** The chain source saw the funding output of `scid` spent at `height` (BOLT 7 pruning). */
  async markSpent(scid: bigint, height: number): Promise<GraphDelta[]> {
    const c = this.graph.channel(scid);
    if (!c || c.spentAtHeight !== undefined) return [];
    return this.#commitDeltas([{ kind: 'channel_spent', scid, height }]);
  }

  /** A new block: forgets channels spent at least `spentForgetBlocks` ago (BOLT 7: 72 blocks). */
  async onBlock(height: number): Promise<GraphDelta[]> {
    const gone = spentToForget(this.graph, height, this.#forgetBlocks).map((c) => c.scid);
    return this.#commitDeltas(removalDeltas(this.graph, gone, 'spent'));
  }

  /**
   * BOLT 7 "Recommendation on Pruning Stale Entries": removes channels whose oldest latest update
   * is older than two weeks, and remembers them as zombies.
   */
  async pruneStale(): Promise<GraphDelta[]> {
    const stale = staleChannels(this.graph, this.#clock.now() / 1000 - this.#staleSeconds);
    for (const c of stale) this.#zombies.set(c.scid, { nodeId1: c.nodeId1, nodeId2: c.nodeId2 });
    this.#updateLimiter.sweep();
    this.#nodeLimiter.sweep();
    return this.#commitDeltas(
      removalDeltas(
        this.graph,
        stale.map((c) => c.scid),
        'stale',
      ),
    );
  }

  async #commit(kind: Gossip['kind'], deltas: GraphDelta[]): Promise<GossipDecision> {
    await this.#commitDeltas(deltas);
    return { accepted: true, kind, deltas };
  }

  /**
   * Applies and publishes synchronously (so later validations see it, and a {@link snapshot}
   * always reflects exactly the batches numbered up to its `seq`), then persists; the decision
   * waits for the store. A failed save leaves the batch in memory and published (it is public
   * gossip, learnt again after a restart) and fails the decision.
   */
  async #commitDeltas(deltas: GraphDelta[]): Promise<GraphDelta[]> {
    if (deltas.length === 0) return deltas;
    this.graph.apply(deltas);
    const seq = ++this.#seq;
    for (const l of this.#listeners) l(deltas, seq);
    await this.#deps.persistence?.save(deltas);
    return deltas;
  }

  #context(signaturesChecked: boolean): ValidationContext {
    return {
      graph: this.graph,
      chainHash: this.#chainHash,
      ec: this.#ec,
      nowSeconds: Math.floor(this.#clock.now() / 1000),
      maxFutureSeconds: this.#maxFuture,
      signaturesChecked,
    };
  }
}

function limited(kind: Gossip['kind']): GossipDecision {
  return { accepted: false, kind, reason: 'rate_limited', detail: 'rate limit exceeded' };
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
