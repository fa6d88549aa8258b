import { EventEmitter } from 'node:events';
import type { Logger } from '@shoal/log';
import { errorMessage } from './errors.js';

/** Options of the {@link Reconnector} (config `peer.reconnect.*`). */
export interface ReconnectOptions {
  enabled: boolean;
  /** The first delay is random in (0, initialDelayMs]; each later one doubles, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Uniform in [0, 1); default `Math.random` (tests may fix it). */
  random?: () => number;
}

/** What the {@link Reconnector} drives. */
export interface ReconnectDeps {
  logger: Logger;
  /** One connection attempt to the peer; resolves when it is connected, rejects when it failed. */
  attempt(nodeIdHex: string, attempt: number): Promise<void>;
}

/** Events of the {@link Reconnector}. */
export interface ReconnectEvents {
  scheduled: [{ nodeId: string; attempt: number; delayMs: number }];
}

interface Track {
  attempt: number;
  timer: NodeJS.Timeout | undefined;
  inFlight: boolean;
  /** Set while the peer is connected: a late attempt result must not schedule another. */
  connected: boolean;
}

/**
 * Reconnects persistent peers while they are disconnected (flow 9): exponential back-off with
 * jitter, so a frontend outage does not make every peer redial in the same instant.
 */
export class Reconnector extends EventEmitter<ReconnectEvents> {
  private readonly tracks = new Map<string, Track>();
  private readonly random: () => number;
  private stopped = false;

  constructor(
    private readonly deps: ReconnectDeps,
    private readonly options: ReconnectOptions,
  ) {
    super();
    this.random = options.random ?? Math.random;
  }

  /** Delay before attempt `n` (0-based): (0, initial] for the first, then initial*2^n halved-jittered. */
  delayFor(n: number): number {
    const base = Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** n);
    const r = this.random();
    return Math.max(1, Math.round(n === 0 ? base * (1 - r) : base / 2 + (base / 2) * r));
  }

  /** The persistent peer is disconnected: start (or keep) reconnecting it. */
  disconnected(nodeIdHex: string): void {
    if (!this.options.enabled || this.stopped) return;
    let t = this.tracks.get(nodeIdHex);
    if (t === undefined) {
      t = { attempt: 0, timer: undefined, inFlight: false, connected: false };
      this.tracks.set(nodeIdHex, t);
    }
    t.connected = false;
    if (t.timer === undefined && !t.inFlight) this.schedule(nodeIdHex, t);
  }

  /** The peer is connected: back-off resets. */
  connected(nodeIdHex: string): void {
    const t = this.tracks.get(nodeIdHex);
    if (t === undefined) return;
    clearTimeout(t.timer);
    t.timer = undefined;
    t.attempt = 0;
    t.connected = true;
  }

  /** The peer is no longer persistent (API `disconnect`). */
  forget(nodeIdHex: string): void {
    const t = this.tracks.get(nodeIdHex);
    if (t !== undefined) clearTimeout(t.timer);
    this.tracks.delete(nodeIdHex);
  }

  /**
   * A frontend came up: peers waiting out a long back-off (grown while no frontend was there) are
   * retried from the first delay again. Attempts in flight are left alone.
   */
  retrySoon(): void {
    if (this.stopped) return;
    for (const [id, t] of this.tracks) {
      if (t.connected || t.inFlight || t.attempt === 0) continue;
      clearTimeout(t.timer);
      t.attempt = 0;
      this.schedule(id, t);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.tracks.values()) clearTimeout(t.timer);
    this.tracks.clear();
  }

  private schedule(nodeIdHex: string, t: Track): void {
    const delayMs = this.delayFor(t.attempt);
    this.emit('scheduled', { nodeId: nodeIdHex, attempt: t.attempt, delayMs });
    this.deps.logger.debug('reconnection scheduled', { peer: nodeIdHex, attempt: t.attempt, delayMs });
    t.timer = setTimeout(() => this.fire(nodeIdHex, t), delayMs);
  }

  private fire(nodeIdHex: string, t: Track): void {
    t.timer = undefined;
    if (this.tracks.get(nodeIdHex) !== t || t.connected) return;
    t.inFlight = true;
    const n = t.attempt;
    this.deps.attempt(nodeIdHex, n).then(
      () => {
        t.inFlight = false;
        if (this.tracks.get(nodeIdHex) === t) this.connected(nodeIdHex);
      },
      (err: unknown) => {
        t.inFlight = false;
        if (this.tracks.get(nodeIdHex) !== t || t.connected || this.stopped) return;
        this.deps.logger.info('reconnection failed', {
          peer: nodeIdHex,
          attempt: n,
          error: errorMessage(err),
        });
        t.attempt = n + 1;
        this.schedule(nodeIdHex, t);
      },
    );
  }
}
