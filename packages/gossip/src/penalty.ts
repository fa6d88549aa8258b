import type { Clock } from './types.js';

/** Options of {@link PenaltyBox}. */
export interface PenaltyOptions {
  /** How long a peer's gossip is ignored after a second offence (default 10 minutes). */
  ignoreMs?: number;
  /** A first offence is forgotten after this long without another (default 1 hour). */
  forgiveMs?: number;
}

interface Record {
  lastAt: number;
  ignoredUntil: number;
}

/**
 * Penalties for senders of invalid gossip (BOLT 7: "SHOULD send a warning"): the first offence
 * earns a warning, a second one within `forgiveMs` has the peer's gossip ignored for `ignoreMs`.
 */
export class PenaltyBox {
  readonly #clock: Clock;
  readonly #ignoreMs: number;
  readonly #forgiveMs: number;
  readonly #peers = new Map<string, Record>();

  constructor(clock: Clock, options: PenaltyOptions = {}) {
    this.#clock = clock;
    this.#ignoreMs = options.ignoreMs ?? 600_000;
    this.#forgiveMs = options.forgiveMs ?? 3_600_000;
  }

  /** Records an invalid message from `peer`: what to do about it. */
  recordInvalid(peer: string): 'warn' | 'ignore' {
    const now = this.#clock.now();
    const r = this.#peers.get(peer);
    if (!r || now - r.lastAt > this.#forgiveMs) {
      this.#peers.set(peer, { lastAt: now, ignoredUntil: 0 });
      return 'warn';
    }
    r.lastAt = now;
    r.ignoredUntil = now + this.#ignoreMs;
    return 'ignore';
  }

  /** Whether gossip from `peer` is to be dropped unread now. */
  isIgnored(peer: string): boolean {
    const r = this.#peers.get(peer);
    return r !== undefined && r.ignoredUntil > this.#clock.now();
  }

  /** Forgets expired records. */
  sweep(): void {
    const now = this.#clock.now();
    for (const [p, r] of this.#peers)
      if (r.ignoredUntil <= now && now - r.lastAt > this.#forgiveMs) this.#peers.delete(p);
  }
}
