import { GossipError } from './errors.js';
import type { Clock } from './types.js';

/** Token bucket parameters: `burst` tokens, refilled at `perHour` tokens an hour. */
export interface RateLimit {
  burst: number;
  perHour: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per key (a channel direction, a node): a key may spend `burst` messages at once
 * and then `perHour` an hour, which bounds how much gossip one origin can make us store and relay.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: Clock;
  readonly #limit: RateLimit;

  constructor(clock: Clock, limit: RateLimit) {
    if (!(limit.burst >= 1) || !(limit.perHour > 0)) {
      throw new GossipError('GOSSIP_BAD_OPTION', 'rate limit needs burst >= 1 and perHour > 0', {
        burst: limit.burst,
        perHour: limit.perHour,
      });
    }
    this.#clock = clock;
    this.#limit = limit;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const now = this.#clock.now();
    const b = this.#buckets.get(key);
    if (!b) {
      this.#buckets.set(key, { tokens: this.#limit.burst - 1, at: now });
      return true;
    }
    this.#refill(b, now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Forgets buckets that have refilled completely (they behave like absent ones). */
  sweep(): void {
    const now = this.#clock.now();
    for (const [k, b] of this.#buckets) {
      this.#refill(b, now);
      if (b.tokens >= this.#limit.burst) this.#buckets.delete(k);
    }
  }

  #refill(b: Bucket, now: number): void {
    const elapsed = Math.max(0, now - b.at);
    b.tokens = Math.min(this.#limit.burst, b.tokens + (elapsed * this.#limit.perHour) / 3_600_000);
    b.at = now;
  }
}
