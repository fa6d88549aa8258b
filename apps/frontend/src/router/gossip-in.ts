import type { GossipIn, GossipVerdict } from '@shoal/front-protocol';
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
   * Sends a `GossipIn` to the backend `Router`: false when the mesh link is saturated (the peer is
   * paused until {@link GossipIntake.linkDrained}); throws when no router is reachable.
   */
  forward: (msg: Omit<GossipIn, 'replyTo'>) => boolean;
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
}

/**
 * Gossip in (DESIGN 4): signature pre-check here (native secp256k1), de-duplication against the
 * graph copy, in-flight forwards and pending rebroadcasts, one `GossipIn` per new message, and on
 * the verdict every origin is acked (accepted: queued for rebroadcast, never back to an origin)
 * or penalised when the rejection proves the gossip invalid. Peers are paused while too many
 * forwards wait for the backend, and forwards the backend never answers are dropped.
 */
export class GossipIntake {
  readonly dedup: GossipDeduplicator;
  readonly #inFlight = new Map<bigint, Forward>();
  readonly #paused = new Map<string, RouterPeer>();
  readonly #linkPaused = new Map<string, RouterPeer>();
  #nextId = 0n;

  constructor(
    private readonly deps: GossipIntakeDeps,
    private readonly options: { forwardTimeoutMs: number; maxInFlight: number },
  ) {
    this.dedup = new GossipDeduplicator(deps.replica, deps.queue);
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** One gossip message from `peer`. */
  offer(peer: RouterPeer, raw: Uint8Array): void {
    if (this.deps.ignored(peer.id)) {
      this.deps.received(kindOf(raw), 'ignored');
      return;
    }
    const pre = precheckGossip(raw, {
      chainHash: peer.chainHash,
      channelNodes: (scid) => this.deps.replica.graph.channel(scid),
    });
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
    const key = GossipDeduplicator.key(g);
    let flowing: boolean;
    try {
      flowing = this.deps.forward({ id, signaturesChecked: pre.checked, message: raw });
    } catch (err) {
      this.dedup.decide(key, false);
      this.deps.logger.warn('gossip not forwarded: backend router unreachable', {
        error: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    this.#inFlight.set(id, { key, kind: g.kind, sentAt: this.deps.now() });
    this.deps.inFlightChanged(this.#inFlight.size);
    if (!flowing && !this.#linkPaused.has(peer.id) && !this.#paused.has(peer.id)) {
      this.#linkPaused.set(peer.id, peer);
      peer.pauseReading();
    } else if (
      this.#inFlight.size >= this.options.maxInFlight &&
      !this.#paused.has(peer.id) &&
      !this.#linkPaused.has(peer.id)
    ) {
      this.#paused.set(peer.id, peer);
      peer.pauseReading();
    }
  }

  /** The backend's decision on one of our forwards. */
  verdict(v: GossipVerdict): void {
    const f = this.#inFlight.get(v.id);
    if (!f) {
      this.deps.logger.debug('verdict for an unknown or expired forward', { id: v.id.toString() });
      return;
    }
    this.#inFlight.delete(v.id);
    const origins = this.dedup.decide(f.key, v.accepted);
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
      this.#inFlight.delete(id);
      this.dedup.decide(f.key, false);
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
    this.dedup.clear();
    this.#settled();
  }

  /** The mesh link drained: peers paused on it read again. */
  linkDrained(): void {
    const peers = [...this.#linkPaused.values()];
    this.#linkPaused.clear();
    for (const p of peers) {
      if (this.#paused.has(p.id)) continue; // still held by the in-flight bound
      p.resumeReading();
    }
  }

  /** A peer went away. */
  forget(peerId: string): void {
    this.#paused.delete(peerId);
    this.#linkPaused.delete(peerId);
  }

  #settled(): void {
    this.deps.inFlightChanged(this.#inFlight.size);
    if (this.#paused.size === 0 || this.#inFlight.size > this.options.maxInFlight / 2) return;
    const peers = [...this.#paused.values()];
    this.#paused.clear();
    for (const p of peers) if (!this.#linkPaused.has(p.id)) p.resumeReading();
  }
}

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
