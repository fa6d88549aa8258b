import { DEFAULT_BROADCAST_INTERVAL_MS } from './constants.js';
import { GossipError } from './errors.js';
import type { GossipIdentity } from './identity.js';
import type { QueuedGossip, RebroadcastQueue } from './rebroadcast-queue.js';
import type { Clock, GraphDelta } from './types.js';
import { nodeKey } from './util.js';

/** A peer's BOLT 7 `gossip_timestamp_filter`. */
export interface TimestampFilter {
  firstTimestamp: number;
  timestampRange: number;
}

/** Whether `timestamp` passes `filter`: `first_timestamp` <= t < `first_timestamp + timestamp_range`. */
export function passesFilter(filter: TimestampFilter, timestamp: number): boolean {
  return timestamp >= filter.firstTimestamp && timestamp < filter.firstTimestamp + filter.timestampRange;
}

/**
 * Queues what the backend's deltas add (every frontend rebroadcasts all new gossip, wherever it
 * came in) and drops queued gossip of removed or spent channels (BOLT 7: "SHOULD NOT rebroadcast").
 */
export function queueDeltas(queue: RebroadcastQueue, deltas: readonly GraphDelta[]): void {
  for (const d of deltas) {
    if (d.kind === 'channel_removed' || d.kind === 'channel_spent') {
      for (const id of [`ca:${d.scid}`, `cu:${d.scid}:0`, `cu:${d.scid}:1`]) queue.remove(id);
      continue;
    }
    const item = deltaIdentity(d);
    if (item) queue.push(item.identity, item.raw);
  }
}

/** BOLT 7 `channel_update`: type, signature, chain_hash and short_channel_id precede `timestamp`. */
const UPDATE_TIMESTAMP_AT = 2 + 64 + 32 + 8;
/** BOLT 7 `node_announcement`: type and signature precede `flen`. */
const NODE_FLEN_AT = 2 + 64;

/**
 * The identity of the message a delta adds, from the delta's own fields and the timestamp at its
 * fixed offset (the backend validated the message: no second full decode per delta here).
 */
function deltaIdentity(d: GraphDelta): { identity: GossipIdentity; raw: Uint8Array } | undefined {
  switch (d.kind) {
    case 'channel_added':
      return {
        identity: { kind: 'channel_announcement', id: `ca:${d.scid}`, timestamp: 0, scid: d.scid },
        raw: d.announcement,
      };
    case 'channel_updated': {
      const timestamp = u32At(d.update, UPDATE_TIMESTAMP_AT, d.kind);
      const id = `cu:${d.scid}:${d.direction}`;
      return { identity: { kind: 'channel_update', id, timestamp, scid: d.scid }, raw: d.update };
    }
    case 'node_updated': {
      const a = d.announcement;
      if (a.length < NODE_FLEN_AT + 2) throw badDelta(d.kind);
      const timestamp = u32At(a, NODE_FLEN_AT + 2 + ((a[NODE_FLEN_AT]! << 8) | a[NODE_FLEN_AT + 1]!), d.kind);
      return {
        identity: { kind: 'node_announcement', id: `na:${nodeKey(d.nodeId)}`, timestamp },
        raw: a,
      };
    }
    default:
      return undefined;
  }
}

function u32At(b: Uint8Array, at: number, kind: string): number {
  if (b.length < at + 4) throw badDelta(kind);
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function badDelta(kind: string): GossipError {
  return new GossipError('GOSSIP_BAD_DELTA', `truncated gossip in a ${kind} delta`);
}

/** Options of {@link RebroadcastScheduler}. */
export interface RebroadcastOptions {
  /** BOLT 7: flush once every 60 seconds (default). */
  intervalMs?: number;
  /** Phase of a new connection within the interval (default: random), so flushes are staggered. */
  phase?: (peer: string) => number;
}

/** What the scheduler needs. */
export interface RebroadcastDeps {
  queue: RebroadcastQueue;
  clock: Clock;
  /** Sends messages (whole wire bytes, in order) to one connection. */
  send: (peer: string, messages: Uint8Array[]) => void;
}

interface PeerState {
  cursor: number;
  nextFlushAt: number;
  filter?: TimestampFilter;
}

const ORDER: Record<QueuedGossip['kind'], number> = {
  channel_announcement: 0,
  channel_update: 1,
  node_announcement: 2,
};

/**
 * Staggered rebroadcast (BOLT 7 "Rebroadcasting"): each connection flushes on the broadcast
 * interval at its own phase, gets each queued item once, never an item it sent us, relayed items
 * only after its `gossip_timestamp_filter` and only within it (our own gossip ignores filters),
 * and announcements before their updates and node announcements.
 */
export class RebroadcastScheduler {
  readonly #deps: RebroadcastDeps;
  readonly #intervalMs: number;
  readonly #phase: (peer: string) => number;
  readonly #peers = new Map<string, PeerState>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(deps: RebroadcastDeps, options: RebroadcastOptions = {}) {
    this.#deps = deps;
    this.#intervalMs = options.intervalMs ?? DEFAULT_BROADCAST_INTERVAL_MS;
    if (!(this.#intervalMs > 0)) throw new GossipError('GOSSIP_BAD_OPTION', 'intervalMs must be positive');
    this.#phase = options.phase ?? (() => Math.floor(Math.random() * this.#intervalMs));
  }

  /** A connection joined: it gets gossip queued from now on (history comes from its filter or queries). */
  addPeer(peer: string): void {
    const offset = Math.min(Math.max(0, this.#phase(peer)), this.#intervalMs);
    this.#peers.set(peer, { cursor: this.#deps.queue.lastSeq, nextFlushAt: this.#deps.clock.now() + offset });
    this.#reschedule();
  }

  removePeer(peer: string): void {
    this.#peers.delete(peer);
    this.#compact();
  }

  /** BOLT 7 `gossip_timestamp_filter` received: replaces any previous one. */
  setFilter(peer: string, filter: TimestampFilter): void {
    const p = this.#peers.get(peer);
    if (p) p.filter = filter;
  }

  /** Flushes every connection whose time has come; returns how many messages were sent. */
  flushDue(now = this.#deps.clock.now()): number {
    let sent = 0;
    for (const [peer, p] of this.#peers) {
      if (p.nextFlushAt > now) continue;
      const items = this.#deps.queue.after(p.cursor).filter((e) => this.#wants(peer, p, e));
      items.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.seq - b.seq);
      p.cursor = this.#deps.queue.lastSeq;
      while (p.nextFlushAt <= now) p.nextFlushAt += this.#intervalMs;
      if (items.length > 0) {
        this.#deps.send(
          peer,
          items.map((e) => e.raw),
        );
        sent += items.length;
      }
    }
    this.#compact();
    return sent;
  }

  /** Runs flushes on timers until {@link stop}. */
  start(): void {
    this.#running = true;
    this.#reschedule();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #wants(peer: string, p: PeerState, e: QueuedGossip): boolean {
    if (e.origins.has(peer)) return false;
    if (e.kind === 'channel_announcement' && e.updateTimestamp === undefined) return false;
    if (e.own) return true;
    if (!p.filter) return false;
    return passesFilter(p.filter, e.kind === 'channel_announcement' ? e.updateTimestamp! : e.timestamp);
  }

  #compact(): void {
    let min = this.#deps.queue.lastSeq;
    for (const p of this.#peers.values()) min = Math.min(min, p.cursor);
    this.#deps.queue.compact(min);
  }

  #reschedule(): void {
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    let next = Number.POSITIVE_INFINITY;
    for (const p of this.#peers.values()) next = Math.min(next, p.nextFlushAt);
    if (next === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(0, next - this.#deps.clock.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flushDue();
      this.#reschedule();
    }, delay);
    this.#timer.unref();
  }
}
