import { randomUUID } from 'node:crypto';
import { Block } from 'bitcoinjs-lib';
import { bytesEqual, outpointKey, toHex } from './bytes.js';
import type { TypedEmitter } from './emitter.js';
import { ChainError } from './errors.js';
import type { ChainBlock, ChainEvents, ChainTip, ChainTransaction, OutPoint, WatchOptions } from './types.js';

/** What the watcher reads from a chain source. */
export interface WatcherSource {
  getTip(): Promise<ChainTip>;
  getBlockHash(height: number): Promise<Uint8Array | undefined>;
  getBlock(hash: Uint8Array): Promise<ChainBlock | undefined>;
  getTransaction(txid: Uint8Array): Promise<ChainTransaction | undefined>;
}

export interface ChainWatcherOptions {
  /** How many recent block hashes are kept to find the fork point of a reorg (default 144). */
  readonly maxReorgDepth?: number;
}

interface SpendWatch {
  readonly id: string;
  readonly outpoint: OutPoint;
  spentBy?: { readonly height: number; readonly txid: Uint8Array };
}

interface ConfWatch {
  readonly id: string;
  readonly txid: Uint8Array;
  readonly depth: number;
  included?: { readonly height: number; readonly blockHash: Uint8Array };
  reported: boolean;
}

/**
 * Follows a chain source block by block and turns it into watch events, the same way for every
 * source: it keeps the hashes of recent blocks, finds the fork point when the tip changes,
 * disconnects (reporting spends and confirmations that disappear) and connects the new blocks.
 */
export class ChainWatcher {
  readonly #source: WatcherSource;
  readonly #events: TypedEmitter<ChainEvents>;
  readonly #maxReorgDepth: number;
  readonly #hashes = new Map<number, Uint8Array>();
  readonly #spends = new Map<string, SpendWatch>();
  readonly #spendsByOutpoint = new Map<string, Set<string>>();
  readonly #confs = new Map<string, ConfWatch>();
  readonly #confsByTxid = new Map<string, Set<string>>();
  #tipHeight = -1;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    deps: { source: WatcherSource; events: TypedEmitter<ChainEvents> },
    options: ChainWatcherOptions = {},
  ) {
    this.#source = deps.source;
    this.#events = deps.events;
    this.#maxReorgDepth = options.maxReorgDepth ?? 144;
  }

  /** Starts following from the current tip (earlier blocks are only seen through `fromHeight`). */
  start(): Promise<void> {
    return this.#enqueue(async () => {
      const tip = await this.#source.getTip();
      this.#hashes.clear();
      this.#hashes.set(tip.height, tip.hash);
      this.#tipHeight = tip.height;
    });
  }

  /** Catches up with the source's tip; resolves once every event of that catch-up was emitted. */
  sync(): Promise<void> {
    return this.#enqueue(() => this.#syncNow());
  }

  watchSpend(outpoint: OutPoint, options: WatchOptions = {}): Promise<string> {
    const id = options.id ?? randomUUID();
    return this.#enqueue(async () => {
      this.#requireStarted();
      const watch: SpendWatch = { id, outpoint };
      this.#spends.set(id, watch);
      addToIndex(this.#spendsByOutpoint, outpointKey(outpoint.txid, outpoint.vout), id);
      if (options.fromHeight !== undefined) {
        await this.#scan(options.fromHeight, (height, hash, block) => {
          if (!watch.spentBy) this.#matchSpends(block, height, hash, new Set([id]));
        });
      }
      return id;
    });
  }

  watchConfirmations(txid: Uint8Array, depth: number, options: WatchOptions = {}): Promise<string> {
    if (!Number.isInteger(depth) || depth < 1) {
      return Promise.reject(
        new ChainError('CHAIN_INVALID_ARGUMENT', 'depth must be a positive integer', { depth }),
      );
    }
    const id = options.id ?? randomUUID();
    return this.#enqueue(async () => {
      this.#requireStarted();
      const watch: ConfWatch = { id, txid, depth, reported: false };
      this.#confs.set(id, watch);
      addToIndex(this.#confsByTxid, toHex(txid), id);
      const found = await this.#source.getTransaction(txid);
      const conf = found?.confirmation;
      if (conf && conf.height <= this.#tipHeight) {
        const known = this.#hashes.get(conf.height);
        if (!known || bytesEqual(known, conf.blockHash))
          watch.included = { height: conf.height, blockHash: conf.blockHash };
      }
      if (!watch.included && options.fromHeight !== undefined) {
        await this.#scan(options.fromHeight, (height, hash, block) => {
          if (!watch.included && block.transactions!.some((tx) => bytesEqual(tx.getHash(), txid))) {
            watch.included = { height, blockHash: hash };
          }
        });
      }
      this.#checkDepths();
      return id;
    });
  }

  unwatch(id: string): void {
    const spend = this.#spends.get(id);
    if (spend) {
      this.#spends.delete(id);
      removeFromIndex(this.#spendsByOutpoint, outpointKey(spend.outpoint.txid, spend.outpoint.vout), id);
    }
    const conf = this.#confs.get(id);
    if (conf) {
      this.#confs.delete(id);
      removeFromIndex(this.#confsByTxid, toHex(conf.txid), id);
    }
  }

  #requireStarted(): void {
    if (this.#tipHeight < 0) throw new ChainError('CHAIN_NOT_STARTED', 'chain source not started');
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    // The queue only orders tasks; each task's failure reaches its own caller through `run`.
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #syncNow(): Promise<void> {
    this.#requireStarted();
    // A source that changes while we read it is retried; each round makes progress or ends.
    for (let round = 0; round < 8; round++) {
      const tip = await this.#source.getTip();
      const ours = this.#hashes.get(this.#tipHeight);
      if (ours && tip.height === this.#tipHeight && bytesEqual(ours, tip.hash)) return;
      const fork = await this.#findFork(tip.height);
      for (let h = this.#tipHeight; h > fork; h--) this.#disconnect(h);
      this.#tipHeight = fork;
      if (await this.#connectUpTo(tip.height)) {
        this.#checkDepths();
        return;
      }
      this.#checkDepths();
    }
  }

  async #findFork(tipHeight: number): Promise<number> {
    let h = Math.min(this.#tipHeight, tipHeight);
    while (h >= 0) {
      const known = this.#hashes.get(h);
      if (!known) return h; // below the window: assumed common
      const actual = await this.#source.getBlockHash(h);
      if (actual && bytesEqual(actual, known)) return h;
      h--;
    }
    return -1;
  }

  /** Connects blocks up to `height`; false when the source changed under us. */
  async #connectUpTo(height: number): Promise<boolean> {
    for (let h = this.#tipHeight + 1; h <= height; h++) {
      const hash = await this.#source.getBlockHash(h);
      const block = hash && (await this.#source.getBlock(hash));
      const prev = this.#hashes.get(h - 1);
      if (!hash || !block || (prev && !bytesEqual(block.previousHash, prev))) return false;
      this.#connect(h, hash, Block.fromBuffer(block.raw));
    }
    return true;
  }

  #connect(height: number, hash: Uint8Array, block: Block): void {
    this.#hashes.set(height, hash);
    this.#tipHeight = height;
    this.#hashes.delete(height - this.#maxReorgDepth - 1);
    this.#events.emit('block', { height, hash });
    this.#matchSpends(block, height, hash);
    for (const tx of block.transactions ?? []) {
      for (const id of this.#confsByTxid.get(toHex(tx.getHash())) ?? []) {
        const watch = this.#confs.get(id)!;
        if (!watch.included) watch.included = { height, blockHash: hash };
      }
    }
  }

  #matchSpends(block: Block, height: number, blockHash: Uint8Array, only?: Set<string>): void {
    for (const tx of block.transactions ?? []) {
      if (tx.isCoinbase()) continue;
      tx.ins.forEach((input, inputIndex) => {
        for (const id of this.#spendsByOutpoint.get(outpointKey(input.hash, input.index)) ?? []) {
          const watch = this.#spends.get(id)!;
          if (watch.spentBy || (only && !only.has(id))) continue;
          const spendingTxid = tx.getHash();
          watch.spentBy = { height, txid: spendingTxid };
          this.#events.emit('spent', {
            watchId: id,
            outpoint: watch.outpoint,
            spendingTxid,
            spendingTx: tx.toBuffer(),
            inputIndex,
            height,
            blockHash,
          });
        }
      });
    }
  }

  #disconnect(height: number): void {
    const hash = this.#hashes.get(height);
    this.#hashes.delete(height);
    if (hash) this.#events.emit('blockDisconnected', { height, hash });
    for (const watch of this.#spends.values()) {
      if (watch.spentBy && watch.spentBy.height >= height) {
        const spendingTxid = watch.spentBy.txid;
        watch.spentBy = undefined;
        this.#events.emit('spendReorged', { watchId: watch.id, outpoint: watch.outpoint, spendingTxid });
      }
    }
    for (const watch of this.#confs.values()) {
      if (watch.included && watch.included.height >= height) {
        const previousHeight = watch.included.height;
        const wasReported = watch.reported;
        watch.included = undefined;
        watch.reported = false;
        if (wasReported)
          this.#events.emit('unconfirmed', { watchId: watch.id, txid: watch.txid, previousHeight });
      }
    }
  }

  #checkDepths(): void {
    for (const watch of this.#confs.values()) {
      if (!watch.included || watch.reported) continue;
      const depth = this.#tipHeight - watch.included.height + 1;
      if (depth >= watch.depth) {
        watch.reported = true;
        const { height, blockHash } = watch.included;
        this.#events.emit('confirmed', { watchId: watch.id, txid: watch.txid, height, blockHash, depth });
      }
    }
  }

  async #scan(
    fromHeight: number,
    visit: (height: number, hash: Uint8Array, block: Block) => void,
  ): Promise<void> {
    for (let h = Math.max(0, fromHeight); h <= this.#tipHeight; h++) {
      const hash = await this.#source.getBlockHash(h);
      const block = hash && (await this.#source.getBlock(hash));
      if (!hash || !block) return;
      visit(h, hash, Block.fromBuffer(block.raw));
    }
  }
}

function addToIndex(index: Map<string, Set<string>>, key: string, id: string): void {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(id);
}

function removeFromIndex(index: Map<string, Set<string>>, key: string, id: string): void {
  const set = index.get(key);
  set?.delete(id);
  if (set?.size === 0) index.delete(key);
}
