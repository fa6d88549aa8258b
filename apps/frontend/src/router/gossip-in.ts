import type { GossipInItem, GossipVerdict } from '@shoal/front-protocol';
import {
  type Gossip,
  GossipDeduplicator,
  type GraphReplica,
  isPenalised,
  precheckGossip,
  type RebroadcastQueue,
  type RejectReason,
} from '@shoal/gossip';
import type { Logger } from '@shoal/log';
import type { GossipOutcome } from '../metrics.js';
import type { RouterPeer } from './types.js';

/** What {@link GossipIntake} needs. */
export interface GossipIntakeDeps {
  replica: GraphReplica;
  queue: RebroadcastQueue;
  logger: Logger;
  now: () => number;
  /**
   * Sends a `GossipInBatch` to the backend `Router`: false when the mesh link is saturated (the
   * batch's peers are paused until {@link GossipIntake.linkDrained}); throws when no router is
   * reachable.
   */
  forward: (items: GossipInItem[]) => boolean;
  /** A sender of invalid gossip (BOLT 7 "SHOULD send a warning"). */
  penalise: (peerId: string, reason: RejectReason, detail: string) => void;
  /** Whether gossip from this peer is ignored (penalty box). */
  ignored: (peerId: string) => boolean;
  received: (kind: string, outcome: GossipOutcome) => void;
  inFlightChanged: (n: number) => void;
  /** The backend decided: every origin of the message, for tests and logs. */
  decided: (key: string, accepted: boolean, origins: string[]) => void;
}

interface Forward {
  key: string;
  kind: Gossip['kind'];
  sentAt: number;
  /** A `channel_announcement`'s channel, while its updates may be checked against it. */
  scid?: bigint;
}

/** What the next `GossipInBatch` carries. */
interface Batch {
  items: GossipInItem[];
  bytes: number;
  peers: Map<string, RouterPeer>;
}

/** Options of the {@link GossipIntake}. */
export interface GossipIntakeOptions {
  forwardTimeoutMs: number;
  maxInFlight: number;
  /** Items per `GossipInBatch` at most (default 512). */
  maxBatch?: number;
  /**
   * Messages taken from peers per turn of the event loop (default 256): then the peers are paused
   * until the next turn, so verdicts and the mesh socket's writes are not starved (libuv reads a
   * busy socket up to 32 times per turn: ~1 s of signature checks).
   */
  turnBudget?: number;
  /**
   * In-flight forwards from which a `channel_update` whose announcement is still in flight is
   * checked here rather than left to the backend (default `maxInFlight / 4`; 0: always). Verdicts
   * that lag mean the backend is the bottleneck, so the frontends take its update checks over.
   */
  checkAnnouncingFrom?: number;
}

/** Message bytes per `GossipInBatch` at most (the mesh's frames are 1 MiB; a message is < 64 KiB). */
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Gossip in (DESIGN 4): signature pre-check here (native secp256k1), de-duplication against the
 * graph copy, in-flight forwards and pending rebroadcasts, new messages forwarded in one
 * `GossipInBatch` per turn of the event loop (or per `maxBatch`), and on each verdict every
 * origin is acked (accepted: queued for rebroadcast, never back to an origin) or penalised when
 * the rejection proves the gossip invalid. A `channel_update` whose announcement is still in
 * flight is checked against that announcement's node ids, and the node id used goes with it (the
 * backend trusts the check only if the channel it accepts has that node). Peers are paused while
 * too many forwards wait for the backend, and forwards the backend never answers are dropped.
 */
export class GossipIntake {
  readonly dedup: GossipDeduplicator;
  readonly #inFlight = new Map<bigint, Forward>();
  readonly #paused = new Map<string, RouterPeer>();
  readonly #linkPaused = new Map<string, RouterPeer>();
  /** Peers paused until the next turn of the event loop (the turn's budget is spent). */
  readonly #turnPaused = new Map<string, RouterPeer>();
  #turnTaken = 0;
  /** Announcements in flight by channel, for checking their updates. */
  readonly #announcing = new Map<bigint, { nodeId1: Uint8Array; nodeId2: Uint8Array }>();
  readonly #channelNodes = (scid: bigint): { nodeId1: Uint8Array; nodeId2: Uint8Array } | undefined =>
    this.deps.replica.graph.channel(scid) ??
    (this.#inFlight.size >= this.#checkAnnouncingFrom ? this.#announcing.get(scid) : undefined);
  readonly #maxBatch: number;
  readonly #turnBudget: number;
  readonly #checkAnnouncingFrom: number;
  #batch: Batch = { items: [], bytes: 0, peers: new Map() };
  #flushing: NodeJS.Immediate | undefined;
  #nextId = 0n;

  constructor(
    private readonly deps: GossipIntakeDeps,
    private readonly options: GossipIntakeOptions,
  ) {
    this.dedup = new GossipDeduplicator(deps.replica, deps.queue);
    this.#maxBatch = options.maxBatch ?? 512;
    this.#turnBudget = options.turnBudget ?? 256;
    this.#checkAnnouncingFrom = options.checkAnnouncingFrom ?? Math.floor(options.maxInFlight / 4);
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** One gossip message from `peer`. */
  offer(peer: RouterPeer, raw: Uint8Array): void {
    this.#flushing ??= setImmediate(() => this.#endTurn());
    if (++this.#turnTaken >= this.#turnBudget && !this.#turnPaused.has(peer.id)) {
      if (!this.#isPaused(peer.id)) peer.pauseReading();
      this.#turnPaused.set(peer.id, peer);
    }
    if (this.deps.ignored(peer.id)) {
      this.deps.received(kindOf(raw), 'ignored');
      return;
    }
    let pre = precheckGossip(raw, { chainHash: peer.chainHash, channelNodes: this.#channelNodes });
    if (
      !pre.ok &&
      (pre.reason === 'bad_signature' || pre.reason === 'bad_key') &&
      pre.gossip?.kind === 'channel_update' &&
      !this.deps.replica.graph.channel(pre.gossip.message.shortChannelId)
    ) {
      // Checked against an announcement still in flight, which may be a forgery that loses to the
      // real one: not proof against this peer. The backend checks it against what it accepts.
      pre = { ok: true, gossip: pre.gossip, checked: false };
    }
    if (!pre.ok) {
      this.deps.received(pre.gossip?.kind ?? kindOf(raw), 'invalid');
      if (isPenalised(pre.reason)) this.deps.penalise(peer.id, pre.reason, pre.detail);
      else this.deps.logger.debug('gossip dropped', { reason: pre.reason, detail: pre.detail });
      return;
    }
    const g = pre.gossip;
    const offered = this.dedup.offer(peer.id, g);
    if (offered !== 'new') {
      this.deps.received(g.kind, 'duplicate');
      return;
    }
    this.deps.received(g.kind, 'new');
    const id = ++this.#nextId;
    const f: Forward = { key: GossipDeduplicator.key(g), kind: g.kind, sentAt: this.deps.now() };
    if (g.kind === 'channel_announcement' && !this.#announcing.has(g.message.shortChannelId)) {
      f.scid = g.message.shortChannelId;
      this.#announcing.set(f.scid, g.message);
    }
    this.#inFlight.set(id, f);
    const b = this.#batch;
    b.items.push({ id, signaturesChecked: pre.checked, signer: pre.signer ?? NO_SIGNER, message: raw });
    b.bytes += raw.length;
    b.peers.set(peer.id, peer);
    if (b.items.length >= this.#maxBatch || b.bytes >= MAX_BATCH_BYTES) this.flush();
    if (this.#inFlight.size >= this.options.maxInFlight && !this.#paused.has(peer.id)) {
      if (!this.#isPaused(peer.id)) peer.pauseReading();
      this.#paused.set(peer.id, peer);
    }
  }

  /** The end of a turn of the event loop: the batch goes, peers paused for the turn read again. */
  #endTurn(): void {
    this.#flushing = undefined;
    this.#turnTaken = 0;
    this.flush();
    const peers = [...this.#turnPaused.values()];
    this.#turnPaused.clear();
    for (const p of peers) this.#resume(p);
  }

  /** Sends what was offered since the last batch (at the latest at the end of the turn). */
  flush(): void {
    const b = this.#batch;
    if (b.items.length === 0) return;
    this.#batch = { items: [], bytes: 0, peers: new Map() };
    let flowing: boolean;
    try {
      flowing = this.deps.forward(b.items);
    } catch (err) {
      for (const it of b.items) {
        const f = this.#inFlight.get(it.id);
        if (f) this.#forget(it.id, f, false);
      }
      this.deps.logger.warn('gossip not forwarded: backend router unreachable', {
        messages: b.items.length,
        error: err instanceof Error ? err.message : String(err),
      });
      this.#settled();
      return;
    }
    this.deps.inFlightChanged(this.#inFlight.size);
    if (flowing) return;
    for (const p of b.peers.values()) {
      if (this.#linkPaused.has(p.id)) continue;
      if (!this.#isPaused(p.id)) p.pauseReading();
      this.#linkPaused.set(p.id, p);
    }
  }

  /** The backend's decision on one of our forwards. */
  verdict(v: GossipVerdict): void {
    const f = this.#inFlight.get(v.id);
    if (!f) {
      this.deps.logger.debug('verdict for an unknown or expired forward', { id: v.id.toString() });
      return;
    }
    const origins = this.#forget(v.id, f, v.accepted);
    if (!v.accepted && isRejectReason(v.reason) && isPenalised(v.reason)) {
      for (const o of origins) this.deps.penalise(o, v.reason, v.detail);
    }
    this.deps.decided(f.key, v.accepted, origins);
    this.#settled();
  }

  /** Drops forwards the backend did not answer within the timeout. */
  sweep(): void {
    const limit = this.deps.now() - this.options.forwardTimeoutMs;
    let dropped = 0;
    for (const [id, f] of this.#inFlight) {
      if (f.sentAt > limit) continue;
      this.#forget(id, f, false);
      dropped++;
    }
    if (dropped > 0) {
      this.deps.logger.warn('no verdict from the backend router in time: forwards dropped', {
        dropped,
        timeoutMs: this.options.forwardTimeoutMs,
      });
      this.#settled();
    }
  }

  /** The backend went away: forget every forward (their verdicts will not come). */
  clear(): void {
    if (this.#inFlight.size === 0) return;
    this.deps.logger.info('backend lost: in-flight gossip forgotten', { count: this.#inFlight.size });
    this.#inFlight.clear();
    this.#announcing.clear();
    this.dedup.clear();
    this.#settled();
  }

  /** Stops the pending flush (the router stops; what was offered is dropped with the process). */
  stop(): void {
    if (this.#flushing !== undefined) clearImmediate(this.#flushing);
    this.#flushing = undefined;
  }

  /** The mesh link drained: peers paused on it read again. */
  linkDrained(): void {
    const peers = [...this.#linkPaused.values()];
    this.#linkPaused.clear();
    for (const p of peers) this.#resume(p);
  }

  /** A peer went away. */
  forget(peerId: string): void {
    this.#paused.delete(peerId);
    this.#linkPaused.delete(peerId);
    this.#turnPaused.delete(peerId);
  }

  /** One forward is over: the deduplicator decides it; returns its origins. */
  #forget(id: bigint, f: Forward, accepted: boolean): string[] {
    this.#inFlight.delete(id);
    if (f.scid !== undefined) this.#announcing.delete(f.scid);
    return this.dedup.decide(f.key, accepted);
  }

  #settled(): void {
    this.deps.inFlightChanged(this.#inFlight.size);
    if (this.#paused.size === 0 || this.#inFlight.size > this.options.maxInFlight / 2) return;
    const peers = [...this.#paused.values()];
    this.#paused.clear();
    for (const p of peers) this.#resume(p);
  }

  /** Whether `peerId` is held for any reason (in-flight bound, saturated link, turn budget). */
  #isPaused(peerId: string): boolean {
    return this.#paused.has(peerId) || this.#linkPaused.has(peerId) || this.#turnPaused.has(peerId);
  }

  /** Reads `p` again unless another reason still holds it. */
  #resume(p: RouterPeer): void {
    if (!this.#isPaused(p.id)) p.resumeReading();
  }
}

const NO_SIGNER = new Uint8Array(0);

const KINDS: Record<number, Gossip['kind']> = {
  256: 'channel_announcement',
  257: 'node_announcement',
  258: 'channel_update',
};

function kindOf(raw: Uint8Array): string {
  return raw.length < 2 ? 'unknown' : (KINDS[(raw[0]! << 8) | raw[1]!] ?? 'unknown');
}

const REASONS: ReadonlySet<string> = new Set<RejectReason>([
  'malformed',
  'not_gossip',
  'unknown_chain',
  'bad_key',
  'bad_signature',
  'bad_node_order',
  'funding_missing',
  'funding_script_mismatch',
  'funding_spent',
  'duplicate',
  'stale',
  'same_timestamp_conflict',
  'future_timestamp',
  'unknown_channel',
  'channel_spent',
  'bad_htlc_limits',
  'dont_forward',
  'unknown_node',
  'bad_addresses',
  'rate_limited',
  'blacklisted',
  'zombie',
]);

function isRejectReason(s: string): s is RejectReason {
  return REASONS.has(s);
}
