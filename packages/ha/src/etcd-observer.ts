import type { Logger } from '@shoal/log';
import type { Namespace, Watcher } from 'etcd3';
import type { LeaderInfo, LeaderObserver } from './types.js';

/** Decodes a candidate's value (`{"id":...,"advertise":...}`); a foreign value is shown raw as the id. */
export function parseValue(value: Buffer): { id: string; advertise: string | undefined } {
  const text = value.toString('utf8');
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && 'id' in v && typeof v.id === 'string') {
      const advertise = 'advertise' in v && typeof v.advertise === 'string' ? v.advertise : undefined;
      return { id: v.id, advertise };
    }
  } catch {
    // Not JSON: fall through and show it as is.
  }
  return { id: text, advertise: undefined };
}

/** Resolves when `key` is deleted at or after `startRevision`; rejects on a watch error or abort. */
export async function waitForDelete(
  ns: Namespace,
  key: string,
  startRevision: string,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const watcher = await ns.watch().key(key).startRevision(startRevision).only('delete').create();
  try {
    await new Promise<void>((resolve, reject) => {
      watcher.once('delete', () => resolve());
      watcher.once('error', reject);
      watcher.once('end', () => reject(new Error('watch ended')));
      if (signal?.aborted) reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  } finally {
    await watcher.cancel().catch(() => undefined); // the watch is over either way
  }
}

/**
 * The leader as seen through etcd: the lowest create revision under the election prefix. Any put
 * or delete under the prefix (or a watch reconnection) triggers one re-read; re-reads never overlap.
 */
export class EtcdLeaderObserver implements LeaderObserver {
  readonly #ns: Namespace;
  readonly #log: Logger;
  #current: LeaderInfo | undefined;
  #watcher: Watcher | undefined;
  #reading: Promise<void> | undefined;
  #again = false;
  #closed = false;
  readonly #listeners = new Set<(leader: LeaderInfo | undefined) => void>();
  readonly #onClose = new Set<() => void>();

  constructor(ns: Namespace, log: Logger) {
    this.#ns = ns;
    this.#log = log;
  }

  get current(): LeaderInfo | undefined {
    return this.#current;
  }

  /** Reads the leader once and starts watching. */
  async ready(): Promise<void> {
    const revision = await this.#read();
    const watcher = await this.#ns
      .watch()
      .prefix('')
      .startRevision((BigInt(revision) + 1n).toString())
      .create();
    this.#watcher = watcher;
    const refresh = () => this.#refresh();
    watcher.on('put', refresh);
    watcher.on('delete', refresh);
    watcher.on('connected', refresh);
    watcher.on('error', (err) => this.#log.warn('leader watch failed', { err }));
    if (this.#closed) await watcher.cancel();
  }

  onChange(listener: (leader: LeaderInfo | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onClose(fn: () => void): void {
    this.#onClose.add(fn);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await this.#watcher?.cancel();
    await this.#reading;
    for (const fn of this.#onClose) fn();
  }

  #refresh(): void {
    if (this.#closed) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = this.#read()
      .then(
        () => undefined,
        (err: unknown) => this.#log.warn('reading the leader failed', { err }),
      )
      .finally(() => {
        this.#reading = undefined;
        if (this.#again) {
          this.#again = false;
          this.#refresh();
        }
      });
  }

  /** Reads the first key; returns the revision read at. */
  async #read(): Promise<string> {
    const res = await this.#ns.getAll().sort('Create', 'Ascend').limit(1).exec();
    const kv = res.kvs[0];
    const next: LeaderInfo | undefined = kv
      ? { ...parseValue(kv.value), epoch: BigInt(kv.create_revision) }
      : undefined;
    const prev = this.#current;
    if (!this.#closed && (prev?.epoch !== next?.epoch || prev?.id !== next?.id)) {
      this.#current = next;
      for (const l of this.#listeners) l(next);
    }
    return res.header.revision;
  }
}
