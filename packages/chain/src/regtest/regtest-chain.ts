import { Block, address as baddress, networks, Transaction } from 'bitcoinjs-lib';
import { concatBytes, outpointKey, toHex } from '../bytes.js';
import { COINBASE_MATURITY, FEERATE_PER_KW_FLOOR } from '../constants.js';
import { TypedEmitter } from '../emitter.js';
import { ChainError } from '../errors.js';
import { sha256 } from '../script/hashes.js';
import { verifyInput } from '../script/verify.js';
import type {
  ChainBlock,
  ChainEventName,
  ChainEvents,
  ChainListener,
  ChainSource,
  ChainTip,
  ChainTransaction,
  FeeEstimate,
  Logger,
  OutPoint,
  ScidOutput,
  ShortChannelId,
  Utxo,
  WatchOptions,
} from '../types.js';
import { ChainWatcher } from '../watcher.js';
import { BlockLog } from './block-log.js';
import { ChainState } from './chain-state.js';
import { type Coin, checkInputs, checkStandard, checkTransaction, rejected } from './consensus.js';
import { Mempool } from './mempool.js';
import { blockSubsidy, buildCoinbase, mineBlock } from './mining.js';

export interface RegtestChainOptions {
  /** Directory of the append-only block log; in memory only when absent. */
  readonly dataDir?: string;
  /** TEST ONLY: confirmations before a coinbase is spendable (Bitcoin: 100). */
  readonly coinbaseMaturity?: number;
  /** What `estimateFee` answers, in sat per 1000 weight units (default 2500, i.e. 10 sat/vB). */
  readonly feeRatePerKw?: bigint;
  /** Minimum relay fee rate in sat/kvB (default 1000, as Bitcoin Core); 0 accepts zero-fee transactions. */
  readonly minRelayFeePerKvB?: bigint;
  /** Apply Bitcoin Core's relay policy (dust outputs, tx version and size; default true). */
  readonly standardness?: boolean;
  /** Clock for block times, seconds since the epoch (default: the system clock). */
  readonly now?: () => number;
  readonly maxReorgDepth?: number;
}

/** Output script of the default coinbase payout: P2WSH(OP_TRUE), spendable by anyone with witness [OP_TRUE]. */
export const ANYONE_CAN_SPEND_SCRIPT = concatBytes(Uint8Array.of(0x00, 0x20), sha256(Uint8Array.of(0x51)));

/**
 * An in-process Bitcoin regtest chain for the demo and tests (NOT a full node: no P2P, no
 * standardness rules beyond a minimum relay fee, no replacement). It starts from Bitcoin's own
 * regtest genesis block, validates transactions (inputs unspent, amounts, lock-times, witness
 * scripts), mines on demand, can be reorganised, and persists to `dataDir`.
 */
export class RegtestChain implements ChainSource {
  readonly network = 'regtest' as const;
  readonly #options: RegtestChainOptions;
  readonly #logger: Logger | undefined;
  readonly #events: TypedEmitter<ChainEvents>;
  readonly #watcher: ChainWatcher;
  #state: ChainState;
  readonly #mempool = new Mempool();
  #log: BlockLog | undefined;
  #started = false;
  #replayed = false;

  constructor(deps: { logger?: Logger } = {}, options: RegtestChainOptions = {}) {
    this.#options = options;
    this.#logger = deps.logger;
    this.#events = new TypedEmitter<ChainEvents>((error) =>
      this.#logger?.error('chain event listener threw', { error: String(error) }),
    );
    this.#state = new ChainState(options.coinbaseMaturity ?? COINBASE_MATURITY);
    this.#watcher = new ChainWatcher(
      { source: this, events: this.#events },
      { maxReorgDepth: options.maxReorgDepth },
    );
  }

  /** Replays the block log (if any) and starts watching. */
  async start(): Promise<void> {
    if (this.#started) return;
    if (this.#options.dataDir) {
      const { log, records } = BlockLog.open(this.#options.dataDir, this.#logger);
      try {
        // After a stop(), the state in memory already is the log's: reopen for appending only.
        for (const record of this.#replayed ? [] : records) {
          if (record.kind === 'block') this.#state.connect(Block.fromBuffer(record.raw), record.raw);
          else this.#invalidate(record.hash, false);
        }
      } catch (error) {
        log.close();
        throw new ChainError(
          'CHAIN_CORRUPT_DATA',
          `cannot replay ${log.path}`,
          { path: log.path },
          { cause: error },
        );
      }
      this.#log = log;
    }
    this.#replayed = true;
    this.#started = true;
    await this.#watcher.start();
  }

  async stop(): Promise<void> {
    this.#log?.close();
    this.#log = undefined;
    this.#started = false;
  }

  on<K extends ChainEventName>(event: K, listener: ChainListener<K>): () => void {
    return this.#events.on(event, listener);
  }

  /** Mines `n` blocks paying to `to` (a regtest address or an output script); resolves after their events. */
  async generate(n: number, to?: string | Uint8Array): Promise<Uint8Array[]> {
    this.#requireStarted();
    const script = to === undefined ? ANYONE_CAN_SPEND_SCRIPT : typeof to === 'string' ? toScript(to) : to;
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < n; i++) hashes.push(this.#mineOne(script));
    await this.#watcher.sync();
    return hashes;
  }

  /** Validates a whole block (scripts included) and connects it on the tip (Core's `submitblock`). */
  async submitBlock(raw: Uint8Array): Promise<Uint8Array> {
    this.#requireStarted();
    let block: Block;
    try {
      block = Block.fromBuffer(raw);
    } catch (error) {
      throw new ChainError('CHAIN_BLOCK_REJECTED', 'block decode failed', {}, { cause: error });
    }
    this.#state.connect(block, raw, verifyScripts);
    this.#log?.append({ kind: 'block', raw });
    this.#mempool.removeForBlock(block.transactions!);
    await this.#watcher.sync();
    return block.getHash();
  }

  /** Disconnects `hash` and its descendants, never to return (Bitcoin Core's `invalidateblock`). */
  async invalidateBlock(hash: Uint8Array): Promise<void> {
    this.#requireStarted();
    this.#invalidate(hash, true);
    this.#log?.append({ kind: 'invalidate', hash });
    await this.#watcher.sync();
  }

  /** Test helper: replaces the top `depth` blocks by `depth + 1` new ones; returns the new hashes. */
  async reorg(depth: number, to?: string | Uint8Array): Promise<Uint8Array[]> {
    const height = this.#state.tip.height - depth + 1;
    if (depth < 1 || height < 1) throw new ChainError('CHAIN_INVALID_ARGUMENT', 'bad reorg depth', { depth });
    await this.invalidateBlock(this.#state.active[height]!.hash);
    return this.generate(depth + 1, to);
  }

  /** Validates and adds a transaction to the mempool (Bitcoin Core's `sendrawtransaction`). */
  async sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    this.#requireStarted();
    return this.#accept(raw);
  }

  broadcast(raw: Uint8Array): Promise<Uint8Array> {
    return this.sendRawTransaction(raw);
  }

  /** The mempool's view of an output: spent by a mempool transaction, or created by one. */
  getMempoolOutput(outpoint: OutPoint): { spent: boolean; created?: { value: bigint; script: Uint8Array } } {
    const key = outpointKey(outpoint.txid, outpoint.vout);
    const out = this.#mempool.get(toHex(outpoint.txid))?.outs[outpoint.vout];
    return {
      spent: this.#mempool.spender(key) !== undefined,
      ...(out ? { created: { value: out.value, script: out.script } } : {}),
    };
  }

  /** Txids (internal order) of the mempool, in arrival order. */
  getMempool(): Uint8Array[] {
    return this.#mempool.transactions().map((tx) => tx.getHash());
  }

  async getChainHash(): Promise<Uint8Array> {
    return this.#state.active[0]!.hash;
  }

  async getTip(): Promise<ChainTip> {
    const tip = this.#state.tip;
    return { height: tip.height, hash: tip.hash };
  }

  async getBlockHash(height: number): Promise<Uint8Array | undefined> {
    return this.#state.active[height]?.hash;
  }

  async getBlock(hash: Uint8Array): Promise<ChainBlock | undefined> {
    const entry = this.#state.blocks.get(toHex(hash));
    if (!entry) return undefined;
    const { block } = entry;
    return {
      hash: entry.hash,
      height: entry.height,
      previousHash: block.prevHash!,
      time: block.timestamp,
      raw: entry.raw,
    };
  }

  async getTransaction(txid: Uint8Array): Promise<ChainTransaction | undefined> {
    const key = toHex(txid);
    const pending = this.#mempool.get(key);
    if (pending) return { txid, raw: pending.toBuffer() };
    const at = this.#state.txIndex.get(key);
    if (!at) return undefined;
    const entry = this.#state.active[at.height]!;
    const raw = entry.block.transactions![at.index]!.toBuffer();
    return { txid, raw, confirmation: { height: at.height, blockHash: entry.hash } };
  }

  async getUtxo(outpoint: OutPoint): Promise<Utxo | undefined> {
    const coin = this.#state.utxos.get(outpointKey(outpoint.txid, outpoint.vout));
    return (
      coin && {
        outpoint,
        value: coin.value,
        script: coin.script,
        height: coin.height,
        coinbase: coin.coinbase,
      }
    );
  }

  async outputAtShortChannelId(scid: ShortChannelId): Promise<ScidOutput | undefined> {
    const tx = this.#state.active[scid.blockHeight]?.block.transactions?.[scid.txIndex];
    const out = tx?.outs[scid.outputIndex];
    if (!tx || !out) return undefined;
    const outpoint = { txid: tx.getHash(), vout: scid.outputIndex };
    const unspent = this.#state.utxos.has(outpointKey(outpoint.txid, outpoint.vout));
    return { outpoint, value: out.value, script: out.script, unspent };
  }

  async estimateFee(targetBlocks: number): Promise<FeeEstimate> {
    const perKw = this.#options.feeRatePerKw ?? 2500n;
    const satPerKw = perKw < FEERATE_PER_KW_FLOOR ? FEERATE_PER_KW_FLOOR : perKw;
    return { satPerKw, satPerKvB: satPerKw * 4n, targetBlocks };
  }

  watchSpend(outpoint: OutPoint, options?: WatchOptions): Promise<string> {
    return this.#watcher.watchSpend(outpoint, options);
  }

  watchConfirmations(txid: Uint8Array, depth: number, options?: WatchOptions): Promise<string> {
    return this.#watcher.watchConfirmations(txid, depth, options);
  }

  unwatch(watchId: string): void {
    this.#watcher.unwatch(watchId);
  }

  sync(): Promise<void> {
    return this.#watcher.sync();
  }

  #requireStarted(): void {
    if (!this.#started) throw new ChainError('CHAIN_NOT_STARTED', 'regtest chain not started');
  }

  #mineOne(script: Uint8Array): Uint8Array {
    const state = this.#state;
    const height = state.tip.height + 1;
    const { txs, fees } = state.selectForBlock(this.#mempool.transactions());
    const coinbase = buildCoinbase(height, blockSubsidy(height) + fees, script, txs);
    const now = Math.floor(this.#options.now?.() ?? Date.now() / 1000);
    let time = Math.max(state.medianTimePast(state.tip.height) + 1, now);
    let block = mineBlock(state.tip.hash, time, [coinbase, ...txs]);
    // Re-mining on the parent of an invalidated block can reproduce it exactly; move the clock on.
    while (state.invalid.has(toHex(block.getHash())))
      block = mineBlock(state.tip.hash, ++time, [coinbase, ...txs]);
    const raw = block.toBuffer();
    state.connect(block, raw);
    this.#log?.append({ kind: 'block', raw });
    this.#mempool.removeForBlock(block.transactions!);
    return block.getHash();
  }

  #invalidate(hash: Uint8Array, refillMempool: boolean): void {
    const entry = this.#state.activeEntry(hash);
    if (!entry)
      throw new ChainError('CHAIN_NOT_FOUND', 'block not in the active chain', { hash: toHex(hash) });
    if (entry.height === 0)
      throw new ChainError('CHAIN_INVALID_ARGUMENT', 'cannot invalidate the genesis block');
    const disconnected: Transaction[][] = [];
    while (this.#state.tip.height >= entry.height) disconnected.unshift(this.#state.disconnectTip());
    this.#state.invalid.add(toHex(hash));
    if (!refillMempool) return;
    // As Bitcoin Core does, return the disconnected transactions to the mempool when still valid.
    const pending = this.#mempool.transactions();
    this.#mempool.clear();
    for (const tx of [...disconnected.flat(), ...pending]) {
      try {
        this.#accept(tx.toBuffer());
      } catch (error) {
        if (!(error instanceof ChainError)) throw error;
        this.#logger?.debug('regtest: dropped a transaction after a reorg', {
          txid: tx.getId(),
          code: error.code,
        });
      }
    }
  }

  #accept(raw: Uint8Array): Uint8Array {
    let tx: Transaction;
    try {
      tx = Transaction.fromBuffer(raw);
    } catch (error) {
      throw new ChainError(
        'CHAIN_TX_REJECTED',
        'TX decode failed',
        { reason: 'TX decode failed' },
        { cause: error },
      );
    }
    const txid = tx.getHash();
    const key = toHex(txid);
    if (this.#mempool.has(key)) return txid;
    if (this.#state.txIndex.has(key)) throw rejected('txn-already-in-chain');
    if (tx.isCoinbase()) throw rejected('coinbase');
    checkTransaction(tx);
    if (this.#options.standardness ?? true) checkStandard(tx);
    for (const input of tx.ins) {
      if (this.#mempool.spender(outpointKey(input.hash, input.index))) throw rejected('txn-mempool-conflict');
    }
    const ctx = this.#state.nextBlockContext();
    const { coins, fee } = checkInputs(tx, this.#mempool.view(this.#state.view, ctx.height), ctx);
    const minFeeRate = this.#options.minRelayFeePerKvB ?? 1000n;
    const minFee = (BigInt(tx.virtualSize()) * minFeeRate + 999n) / 1000n;
    if (fee < minFee) throw rejected('min relay fee not met', `${fee} < ${minFee}`);
    verifyScripts(tx, coins);
    this.#mempool.add(tx, fee);
    return txid;
  }
}

function verifyScripts(tx: Transaction, coins: readonly Coin[]): void {
  tx.ins.forEach((_, i) => {
    try {
      verifyInput(tx, i, coins[i]!);
    } catch (error) {
      if (!(error instanceof ChainError) || error.code !== 'CHAIN_SCRIPT_FAILED') throw error;
      const reason = `mandatory-script-verify-flag-failed (${String(error.meta.reason)})`;
      throw new ChainError('CHAIN_TX_REJECTED', `transaction rejected: ${reason}, input ${i}`, {
        reason,
        scriptError: String(error.meta.reason),
        input: i,
      });
    }
  });
}

function toScript(address: string): Uint8Array {
  try {
    return baddress.toOutputScript(address, networks.regtest);
  } catch (error) {
    throw new ChainError('CHAIN_INVALID_ARGUMENT', 'not a regtest address', { address }, { cause: error });
  }
}
