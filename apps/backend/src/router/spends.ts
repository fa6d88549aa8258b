import type { ChainSource, ScidOutput } from '@shoal/chain';
import type { GraphDelta } from '@shoal/gossip';
import type { Logger } from '@shoal/log';
import { scidToParts } from '@shoal/wire';

/** Watch ids of graph channels carry this prefix (the chain's watches are shared with others). */
const WATCH_PREFIX = 'gossip-funding:';
/** Channels being looked up and watched at once (a loaded mainnet graph is 60k of them). */
const MAX_TRACKING = 64;

/** What the spend watch drives in the gossip processor. */
export interface SpendTarget {
  markSpent(scid: bigint, height: number): Promise<unknown>;
  onBlock(height: number): Promise<unknown>;
}

/** Collaborators of {@link ChannelSpendWatch}. */
export interface SpendWatchDeps {
  chain: Pick<ChainSource, 'watchSpend' | 'unwatch' | 'on' | 'getTip'>;
  /** The output at a short channel id now (the chain source's `outputAtShortChannelId`). */
  output(scid: bigint): Promise<ScidOutput | undefined>;
  /** The output the funding check just read, with {@link ChannelSpendWatch.blocksSeen} at that time. */
  recent?(scid: bigint): { output: ScidOutput; blocksSeen: number } | undefined;
  target: SpendTarget;
  logger: Logger;
}

/**
 * BOLT 7 "Pruning the Network View" fed from the chain source: every graph channel's funding
 * outpoint is watched, a spend marks the channel spent (the processor forgets it 72 blocks later
 * on `block` events), and a removed channel's watch is dropped. A channel found already spent
 * when it is tracked (at start, or spent between its check and its watch) is re-watched from its
 * funding block, so the spend is reported with its real height.
 */
export class ChannelSpendWatch {
  readonly #deps: SpendWatchDeps;
  readonly #watched = new Set<bigint>();
  readonly #offs: (() => void)[] = [];
  /** Tracking work in flight (start-up and new channels), awaited by `idle()` and `stop()`. */
  readonly #inflight = new Set<Promise<void>>();
  #stopped = false;
  #blocks = 0;
  /** Channels waiting to be tracked, from `#head` on (no `shift()`: O(n) on 60k entries). */
  #queue: bigint[] = [];
  #head = 0;
  #tracking = 0;

  constructor(deps: SpendWatchDeps) {
    this.#deps = deps;
  }

  /** Listens to the chain and watches `scids` (the graph loaded at start). */
  start(scids: Iterable<bigint>): void {
    const { chain } = this.#deps;
    this.#offs.push(
      chain.on('spent', (e) => {
        if (!e.watchId.startsWith(WATCH_PREFIX)) return;
        const scid = BigInt(e.watchId.slice(WATCH_PREFIX.length));
        this.#run('mark channel spent', () => this.#deps.target.markSpent(scid, e.height));
      }),
      chain.on('spendReorged', (e) => {
        // No graph delta un-marks a spent channel; it is forgotten 72 blocks later all the same.
        if (e.watchId.startsWith(WATCH_PREFIX)) {
          this.#deps.logger.warn('graph channel funding spend reorged out: the channel stays marked spent', {
            scid: e.watchId.slice(WATCH_PREFIX.length),
          });
        }
      }),
      chain.on('block', (e) => {
        this.#blocks++;
        this.#run('prune spent channels', () => this.#deps.target.onBlock(e.height));
      }),
    );
    for (const scid of scids) this.track(scid);
  }

  /** Stops listening, drops every watch, and waits for tracking in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue = [];
    this.#head = 0;
    for (const off of this.#offs.splice(0)) off();
    await Promise.allSettled([...this.#inflight]);
    for (const scid of this.#watched) this.#deps.chain.unwatch(WATCH_PREFIX + scid.toString());
    this.#watched.clear();
  }

  /** Resolves when no tracking is in flight (tests, and the start-up log). */
  async idle(): Promise<void> {
    while (this.#inflight.size > 0 || this.#head < this.#queue.length)
      await Promise.allSettled([...this.#inflight]);
  }

  /** Channels added get a watch; removed ones lose theirs. */
  onDeltas(deltas: readonly GraphDelta[]): void {
    for (const d of deltas) {
      if (d.kind === 'channel_added') this.track(d.scid);
      else if (d.kind === 'channel_removed' && this.#watched.delete(d.scid)) {
        this.#deps.chain.unwatch(WATCH_PREFIX + d.scid.toString());
      }
    }
  }

  /** Blocks connected since start: a look-up stamped with the current count saw the same chain. */
  get blocksSeen(): number {
    return this.#blocks;
  }

  get watching(): number {
    return this.#watched.size;
  }

  track(scid: bigint): void {
    if (this.#stopped || this.#watched.has(scid)) return;
    this.#watched.add(scid);
    this.#queue.push(scid);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#tracking < MAX_TRACKING && this.#head < this.#queue.length) {
      const scid = this.#queue[this.#head++]!;
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
      }
      this.#tracking++;
      this.#run('watch a funding output', () =>
        this.#track(scid).finally(() => {
          this.#tracking--;
          this.#pump();
        }),
      );
    }
  }

  async #track(scid: bigint): Promise<void> {
    const { chain } = this.#deps;
    const id = WATCH_PREFIX + scid.toString();
    const fromBlock = scidToParts(scid).block;
    const recent = this.#deps.recent?.(scid);
    const stamp = recent?.blocksSeen ?? this.#blocks;
    const out = recent?.output ?? (await this.#deps.output(scid));
    if (this.#stopped || !this.#watched.has(scid)) return;
    if (out === undefined) {
      // The funding transaction left the chain (a reorg): the channel cannot be used any more.
      const tip = await chain.getTip();
      this.#deps.logger.warn('graph channel funding output not found on chain: marked spent', {
        scid: scid.toString(),
      });
      await this.#deps.target.markSpent(scid, tip.height);
      return;
    }
    if (!out.unspent) {
      await chain.watchSpend(out.outpoint, { id, fromHeight: fromBlock });
      return;
    }
    await chain.watchSpend(out.outpoint, { id });
    // No block connected since the look-up: the watch sees every later spend. Otherwise one of
    // those blocks may have spent it before the watch existed: look again.
    if (stamp >= 0 && stamp === this.#blocks) return;
    const again = await this.#deps.output(scid);
    if (again !== undefined && !again.unspent && !this.#stopped) {
      chain.unwatch(id);
      await chain.watchSpend(out.outpoint, { id, fromHeight: fromBlock });
    }
  }

  #run(what: string, work: () => Promise<unknown>): void {
    const p = work().then(
      () => undefined,
      (err: unknown) => this.#deps.logger.error(`gossip: failed to ${what}`, { err }),
    );
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }
}
