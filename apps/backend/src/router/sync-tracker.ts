import type { GossipSyncReport } from '@shoal/front-protocol';
import type { Logger } from '@shoal/log';
import { decodeMessage, initFeatures } from '@shoal/wire';

/** Progress of our own initial gossip sync with one peer, as `getinfo` shows it. */
export interface GossipSyncPeer {
  nodeId: string;
  /** `requested` until the frontend's first report. */
  phase: GossipSyncReport['phase'] | 'requested';
  listed: number;
  wanted: number;
  queriesDone: number;
  queriesTotal: number;
  incomplete: boolean;
}

/** `getinfo`'s `gossipSync`: whether a sync runs, how many completed in this run, per peer. */
export interface GossipSyncView {
  running: boolean;
  completed: number;
  peers: GossipSyncPeer[];
}

/** Options of the {@link GossipSyncTracker}. */
export interface GossipSyncOptions {
  /** Syncs running at once (default 3). */
  maxConcurrent?: number;
  /** Finished syncs kept in the view (default 10). */
  keepFinished?: number;
}

/**
 * Decides `InitializeConnection.doSync` and follows our own initial syncs (BOLT 7 "Query
 * Messages", run by the frontend holding the peer): a sync is asked for while none has completed
 * in this run and fewer than `maxConcurrent` run. A reservation ends when the frontend reports
 * `done` or `failed`, when the peer's `init` lacks `gossip_queries` (the frontend then does not
 * sync), or when the peer disconnects.
 */
export class GossipSyncTracker {
  readonly #running = new Map<string, GossipSyncPeer>();
  readonly #finished: GossipSyncPeer[] = [];
  readonly #max: number;
  readonly #keep: number;
  #completed = 0;

  constructor(
    private readonly logger: Logger,
    options: GossipSyncOptions = {},
  ) {
    this.#max = options.maxConcurrent ?? 3;
    this.#keep = options.keepFinished ?? 10;
  }

  /** True (and a slot reserved) when this peer's connection should run our initial sync. */
  wantSync(nodeIdHex: string): boolean {
    if (this.#completed > 0) return false;
    if (this.#running.has(nodeIdHex)) return true;
    if (this.#running.size >= this.#max) return false;
    this.#running.set(nodeIdHex, {
      nodeId: nodeIdHex,
      phase: 'requested',
      listed: 0,
      wanted: 0,
      queriesDone: 0,
      queriesTotal: 0,
      incomplete: false,
    });
    return true;
  }

  /**
   * The peer's `init` (the raw message) is known: without `gossip_queries` (BOLT 9 bits 6/7) the
   * frontend runs no sync, so the slot is released.
   */
  peerReady(nodeIdHex: string, remoteInit: Uint8Array): void {
    const s = this.#running.get(nodeIdHex);
    if (s === undefined || s.phase !== 'requested') return;
    if (!queriesSupported(remoteInit)) this.#running.delete(nodeIdHex);
  }

  /** The peer disconnected: its sync (if any) ends unfinished. */
  peerGone(nodeIdHex: string): void {
    const s = this.#running.get(nodeIdHex);
    if (s === undefined) return;
    this.#running.delete(nodeIdHex);
    if (s.phase !== 'requested') {
      this.logger.warn('gossip sync interrupted: peer disconnected', { peer: nodeIdHex, phase: s.phase });
      this.#finish({ ...s, phase: 'failed' });
    }
  }

  /** A `GossipSyncReport` from the frontend running the sync. */
  report(r: GossipSyncReport): void {
    const id = Buffer.from(r.nodeId).toString('hex');
    const s: GossipSyncPeer = {
      nodeId: id,
      phase: r.phase,
      listed: r.listed,
      wanted: r.wanted,
      queriesDone: r.queriesDone,
      queriesTotal: r.queriesTotal,
      incomplete: r.incomplete,
    };
    const fields = {
      peer: id,
      phase: r.phase,
      listed: r.listed,
      wanted: r.wanted,
      queriesDone: r.queriesDone,
      queriesTotal: r.queriesTotal,
      incomplete: r.incomplete,
    };
    if (r.phase === 'done' || r.phase === 'failed') {
      this.#running.delete(id);
      if (r.phase === 'done') {
        this.#completed++;
        this.logger.info('gossip sync done', fields);
      } else this.logger.warn('gossip sync failed', fields);
      this.#finish(s);
      return;
    }
    this.#running.set(id, s);
    this.logger.info('gossip sync progress', fields);
  }

  view(): GossipSyncView {
    return {
      running: [...this.#running.values()].some((s) => s.phase !== 'requested'),
      completed: this.#completed,
      peers: [...this.#running.values(), ...this.#finished].map((s) => ({ ...s })),
    };
  }

  #finish(s: GossipSyncPeer): void {
    this.#finished.unshift(s);
    this.#finished.length = Math.min(this.#finished.length, this.#keep);
  }
}

/** BOLT 1: the union of `globalfeatures` and `features` of an `init` has `gossip_queries`. */
function queriesSupported(init: Uint8Array): boolean {
  try {
    const m = decodeMessage(init);
    return m.type === 'init' && initFeatures(m).has('gossip_queries');
  } catch {
    // The frontend only reports an init it decoded; bytes that do not decode cannot run a sync.
    return false;
  }
}
