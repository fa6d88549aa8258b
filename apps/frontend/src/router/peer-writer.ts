import type { RouterPeer } from './types.js';

/** One unit of output: messages produced lazily (so a large answer is encoded as it is sent). */
interface Job {
  next: () => Uint8Array | undefined;
  /** Messages still counted against the per-peer cap. */
  size: number;
  done?: () => void;
}

/**
 * Writes query answers, backfills and rebroadcasts to one connection in order, as fast as its
 * socket drains: a job stops at the first `write` that returns false and resumes on `drain`, so
 * nothing large is ever buffered in the socket. Queued work is capped (`maxQueued` messages).
 */
export class PeerWriter {
  readonly #peer: RouterPeer;
  readonly #maxQueued: number;
  readonly #jobs: Job[] = [];
  #queued = 0;
  #waiting = false;
  #closed = false;

  constructor(peer: RouterPeer, maxQueued: number) {
    this.#peer = peer;
    this.#maxQueued = maxQueued;
  }

  /** Messages waiting to be written. */
  get queued(): number {
    return this.#queued;
  }

  /**
   * Queues a list of messages; `encode` turns each item into wire bytes when its turn comes.
   * Returns false (and queues nothing) when the cap would be exceeded and `droppable` is set.
   */
  push<T>(
    items: readonly T[],
    encode: (item: T) => Uint8Array,
    opts: { droppable?: boolean; done?: () => void } = {},
  ): boolean {
    if (this.#closed) return false;
    if (opts.droppable && this.#queued + items.length > this.#maxQueued) return false;
    let i = 0;
    this.#queued += items.length;
    const job: Job = {
      size: items.length,
      next: () => {
        if (i >= items.length) return undefined;
        job.size--;
        this.#queued--;
        return encode(items[i++]!);
      },
      ...(opts.done ? { done: opts.done } : {}),
    };
    this.#jobs.push(job);
    this.#pump();
    return true;
  }

  /** Forgets queued work (the connection closed); pending `done` callbacks are not called. */
  close(): void {
    this.#closed = true;
    for (const j of this.#jobs) this.#queued -= j.size;
    this.#jobs.length = 0;
  }

  #pump(): void {
    if (this.#waiting || this.#closed) return;
    while (this.#jobs.length > 0) {
      const job = this.#jobs[0]!;
      for (;;) {
        if (!this.#peer.isOpen) {
          this.close();
          return;
        }
        const m = job.next();
        if (m === undefined) break;
        if (!this.#peer.send(m)) {
          if (job.size === 0) this.#finish();
          this.#waiting = true;
          this.#peer.onDrain(() => {
            this.#waiting = false;
            this.#pump();
          });
          return;
        }
      }
      this.#finish();
    }
  }

  #finish(): void {
    const job = this.#jobs.shift();
    job?.done?.();
  }
}
