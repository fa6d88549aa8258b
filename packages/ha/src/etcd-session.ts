import type { Lease, Namespace } from 'etcd3';
import { HaError } from './errors.js';

/**
 * One etcd lease and our local view of how long it surely lives.
 *
 * etcd expires a lease TTL seconds after it last processed a grant or keep-alive for it. We
 * cannot know when etcd processed a request, only when we sent it, which is earlier. So the lease
 * surely lives until `sentAt + TTL` of the last acknowledged request (in our monotonic clock,
 * assuming etcd's clock does not run faster than ours by more than the margin covers), and we stop
 * at `sentAt + TTL - margin`. Requests and responses share one stream, so the n-th response on it
 * answers the n-th request sent on it; the send times are queued per stream and dropped when the
 * stream fails (a late answer then matches an earlier send time, which only shortens the deadline).
 */
export class LeaseSession {
  readonly lease: Lease;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #marginMs: number;
  #sent: number[] = [];
  #deadline: number;
  #timer: NodeJS.Timeout | undefined;
  #ended: HaError | undefined;
  readonly #endListeners = new Set<(err: HaError) => void>();
  readonly #extendListeners = new Set<(deadline: number) => void>();
  /** Rejects with the reason once the session ends (never resolves). */
  readonly ended: Promise<never>;

  constructor(ns: Namespace, ttlSeconds: number, marginMs: number, now: () => number) {
    this.#now = now;
    this.#ttlMs = ttlSeconds * 1000;
    this.#marginMs = marginMs;
    const sentAt = now();
    // Until the grant is acknowledged, the deadline is the grant's send time plus TTL minus margin.
    this.#deadline = sentAt + this.#ttlMs - marginMs;
    this.ended = new Promise<never>((_, reject) => this.#endListeners.add(reject));
    this.ended.catch(() => undefined); // observed through onEnd / races; never an unhandled rejection
    this.lease = ns.lease(ttlSeconds, { autoKeepAlive: true });
    this.lease.on('keepaliveEstablished', () => {
      this.#sent = [];
    });
    this.lease.on('keepaliveFailed', () => {
      this.#sent = [];
    });
    this.lease.on('keepaliveFired', () => {
      this.#sent.push(this.#now());
    });
    this.lease.on('keepaliveSucceeded', (res) => {
      const sent = this.#sent.shift();
      if (sent === undefined) return;
      // etcd answers with the TTL it granted (it may round a small TTL up); ours is the lower bound.
      const granted = Math.min(Number(res.TTL) * 1000, this.#ttlMs);
      this.#extend(sent + granted - this.#marginMs);
    });
    this.lease.on('lost', (err) => {
      this.end(new HaError('HA_LEASE_LOST', `etcd lease lost: ${err.message}`, {}, { cause: err }));
    });
    this.#arm();
  }

  /** Waits for the grant; the lease id as a decimal string. */
  async grant(): Promise<string> {
    return Promise.race([this.lease.grant(), this.ended]);
  }

  /** The local deadline (monotonic ms) before which the lease surely lives. */
  get deadline(): number {
    return this.#deadline;
  }

  get endedReason(): HaError | undefined {
    return this.#ended;
  }

  onEnd(listener: (err: HaError) => void): void {
    if (this.#ended) listener(this.#ended);
    else this.#endListeners.add(listener);
  }

  onExtend(listener: (deadline: number) => void): void {
    this.#extendListeners.add(listener);
  }

  /** Ends the session: stops keep-alives (the lease then expires on its own unless revoked). */
  end(reason: HaError): void {
    if (this.#ended) return;
    this.#ended = reason;
    clearTimeout(this.#timer);
    this.lease.release();
    for (const l of this.#endListeners) l(reason);
    this.#endListeners.clear();
    this.#extendListeners.clear();
  }

  /** Ends the session and revokes the lease so that etcd deletes our key now; bounded by `timeoutMs`. */
  async revoke(reason: HaError, timeoutMs: number): Promise<void> {
    this.end(reason);
    await this.lease.revoke({ deadline: new Date(Date.now() + timeoutMs) });
  }

  #extend(deadline: number): void {
    if (this.#ended) return;
    if (this.#now() >= this.#deadline) {
      this.#expire();
      return;
    }
    if (deadline <= this.#deadline) return;
    this.#deadline = deadline;
    this.#arm();
    for (const l of this.#extendListeners) l(deadline);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        if (this.#now() >= this.#deadline) this.#expire();
        else this.#arm();
      },
      Math.max(1, this.#deadline - this.#now()),
    );
  }

  #expire(): void {
    this.end(
      new HaError(
        'HA_LEASE_EXPIRED',
        `no etcd keep-alive acknowledged within TTL - margin (${this.#ttlMs} - ${this.#marginMs} ms)`,
        { ttlMs: this.#ttlMs, marginMs: this.#marginMs },
      ),
    );
  }
}
