import { ClusterError, errorMessage } from '../errors.js';
import type { Logger } from '../types.js';

interface Retry {
  delay: number;
  nextAt: number;
  since: number;
  failures: number;
}

/**
 * Dials members and seeds with exponential back-off (100 ms doubling to `maxRetryDelayMs`), one
 * attempt in flight per address, and a clear warning while no seed node answers.
 */
export class Redialer {
  private readonly inFlight = new Set<string>();
  private readonly retries = new Map<string, Retry>();
  private lastSeedWarning = 0;

  constructor(
    private readonly opts: { seedNodes: readonly string[]; maxRetryDelayMs: number; logger: Logger },
    private readonly connect: (address: string) => Promise<void>,
    private readonly joined: () => boolean,
    private readonly refused: (err: ClusterError) => void,
  ) {}

  /** Dials now unless an attempt is in flight. */
  dial(address: string): void {
    if (this.inFlight.has(address)) return;
    this.inFlight.add(address);
    this.connect(address)
      .then(() => this.retries.delete(address))
      .catch((err: unknown) => this.failed(address, err))
      .finally(() => this.inFlight.delete(address));
  }

  /** Dials if the back-off for `address` has elapsed. */
  dialIfDue(address: string, now: number): void {
    const r = this.retries.get(address);
    if (r === undefined || now >= r.nextAt) this.dial(address);
  }

  /** Since when dials to `address` keep failing (undefined when the last one did not fail). */
  failingSince(address: string): number | undefined {
    return this.retries.get(address)?.since;
  }

  forget(address: string): void {
    this.retries.delete(address);
  }

  private failed(address: string, err: unknown): void {
    const now = Date.now();
    const r = this.retries.get(address) ?? { delay: 100, nextAt: now, since: now, failures: 0 };
    r.failures++;
    r.delay = Math.min(r.delay * 2, this.opts.maxRetryDelayMs);
    r.nextAt = now + r.delay;
    this.retries.set(address, r);
    const log = this.opts.logger;
    if (err instanceof ClusterError && err.code === 'CLUSTER_VERSION_MISMATCH') {
      log.error('refused by a member: incompatible protocol version', { address, error: err.message });
      this.refused(err);
      return;
    }
    if (this.opts.seedNodes.includes(address) && !this.joined() && now - this.lastSeedWarning >= 2000) {
      this.lastSeedWarning = now;
      log.warn('no seed node answers; retrying', {
        seeds: this.opts.seedNodes,
        failures: r.failures,
        nextInMs: r.delay,
        error: errorMessage(err),
      });
    } else {
      log.debug('mesh dial failed', { address, failures: r.failures, error: errorMessage(err) });
    }
  }
}
