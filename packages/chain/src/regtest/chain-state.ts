import { Block, type Transaction } from 'bitcoinjs-lib';
import { bytesEqual, outpointKey, toHex } from '../bytes.js';
import { REGTEST_GENESIS_BLOCK_HEX } from '../constants.js';
import { ChainError } from '../errors.js';
import {
  type BlockContext,
  type Coin,
  type CoinView,
  checkInputs,
  checkTransaction,
  rejected,
} from './consensus.js';
import { blockSubsidy, checkBlockRoots } from './mining.js';

/** A block the regtest chain knows (active or stale). */
export interface BlockEntry {
  readonly hash: Uint8Array;
  readonly height: number;
  readonly block: Block;
  readonly raw: Uint8Array;
  /** Coins this block spent, to restore them on disconnect. */
  readonly undo: { readonly key: string; readonly coin: Coin }[];
}

/** Coins created and spent by the transactions before this one in a block or package. */
class OverlayView implements CoinView {
  readonly created = new Map<string, Coin>();
  readonly spent = new Set<string>();
  constructor(private readonly base: CoinView) {}
  get(key: string): Coin | undefined {
    if (this.spent.has(key)) return undefined;
    return this.created.get(key) ?? this.base.get(key);
  }
  apply(tx: Transaction, height: number): void {
    for (const input of tx.ins) this.spent.add(outpointKey(input.hash, input.index));
    const txid = tx.getHash();
    const coinbase = tx.isCoinbase();
    tx.outs.forEach((out, vout) => {
      if (isUnspendable(out.script)) return;
      this.created.set(outpointKey(txid, vout), { value: out.value, script: out.script, height, coinbase });
    });
  }
}

const MAX_BLOCK_WEIGHT = 4_000_000;

function isUnspendable(script: Uint8Array): boolean {
  return script.length > 0 && script[0] === 0x6a;
}

/**
 * The consensus state of the regtest chain: blocks, the active chain, the UTXO set and a
 * transaction index. Synchronous; {@link RegtestChain} wraps it with mempool, persistence and events.
 */
export class ChainState {
  readonly blocks = new Map<string, BlockEntry>();
  readonly active: BlockEntry[] = [];
  readonly utxos = new Map<string, Coin>();
  readonly txIndex = new Map<string, { readonly height: number; readonly index: number }>();
  readonly invalid = new Set<string>();

  constructor(private readonly coinbaseMaturity: number) {
    const raw = new Uint8Array(Buffer.from(REGTEST_GENESIS_BLOCK_HEX, 'hex'));
    const block = Block.fromBuffer(raw);
    // As in Bitcoin Core, the genesis coinbase is not in the UTXO set or the transaction index.
    const entry: BlockEntry = { hash: block.getHash(), height: 0, block, raw, undo: [] };
    this.blocks.set(toHex(entry.hash), entry);
    this.active.push(entry);
  }

  get tip(): BlockEntry {
    return this.active[this.active.length - 1]!;
  }

  /** Median of the last 11 block times ending at `height` (BIP113). */
  medianTimePast(height: number): number {
    const times: number[] = [];
    for (let h = Math.max(0, height - 10); h <= height; h++) times.push(this.active[h]!.block.timestamp);
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  }

  /** The context of the next block on the current tip. */
  nextBlockContext(): BlockContext {
    const tipHeight = this.tip.height;
    return {
      height: tipHeight + 1,
      medianTimePast: this.medianTimePast(tipHeight),
      medianTimePastBefore: (h) => this.medianTimePast(Math.max(0, Math.min(h - 1, tipHeight))),
      coinbaseMaturity: this.coinbaseMaturity,
    };
  }

  /** A view of confirmed coins. */
  get view(): CoinView {
    return { get: (key) => this.utxos.get(key) };
  }

  /**
   * Picks, in order, the transactions of `candidates` that are valid together in the next block;
   * returns them with their total fee. Scripts were checked when they entered the mempool.
   */
  selectForBlock(candidates: readonly Transaction[]): { txs: Transaction[]; fees: bigint } {
    const ctx = this.nextBlockContext();
    const overlay = new OverlayView(this.view);
    const txs: Transaction[] = [];
    let fees = 0n;
    // Room for the coinbase under the 4M weight-unit consensus limit.
    let weight = 4000;
    for (const tx of candidates) {
      if (weight + tx.weight() > MAX_BLOCK_WEIGHT) continue;
      try {
        fees += checkInputs(tx, overlay, ctx).fee;
      } catch (error) {
        if (error instanceof ChainError && error.code === 'CHAIN_TX_REJECTED') continue;
        throw error;
      }
      overlay.apply(tx, ctx.height);
      txs.push(tx);
      weight += tx.weight();
    }
    return { txs, fees };
  }

  /** Validates `block` on the tip (contextual rules; scripts only if `verifyScripts` is given) and connects it. */
  connect(
    block: Block,
    raw: Uint8Array,
    verifyScripts?: (tx: Transaction, coins: Coin[]) => void,
  ): BlockEntry {
    const hash = block.getHash();
    if (!block.prevHash || !bytesEqual(block.prevHash, this.tip.hash)) {
      throw new ChainError('CHAIN_BLOCK_REJECTED', 'block does not extend the tip', { hash: toHex(hash) });
    }
    if (!block.checkProofOfWork() || !checkBlockRoots(block)) {
      throw new ChainError('CHAIN_BLOCK_REJECTED', 'bad proof of work or merkle root', { hash: toHex(hash) });
    }
    const txs = block.transactions ?? [];
    if (!txs[0]?.isCoinbase() || txs.slice(1).some((tx) => tx.isCoinbase())) {
      throw new ChainError('CHAIN_BLOCK_REJECTED', 'a block has exactly one coinbase, first');
    }
    if (block.weight() > MAX_BLOCK_WEIGHT) throw new ChainError('CHAIN_BLOCK_REJECTED', 'bad-blk-weight');
    const ctx = this.nextBlockContext();
    if (block.timestamp <= ctx.medianTimePast) throw new ChainError('CHAIN_BLOCK_REJECTED', 'time-too-old');
    const overlay = new OverlayView(this.view);
    let fees = 0n;
    for (const tx of txs) {
      checkTransaction(tx);
      if (!tx.isCoinbase()) {
        const checked = checkInputs(tx, overlay, ctx);
        verifyScripts?.(tx, checked.coins);
        fees += checked.fee;
      }
      overlay.apply(tx, ctx.height);
    }
    const minted = txs[0]!.outs.reduce((sum, o) => sum + o.value, 0n);
    if (minted > blockSubsidy(ctx.height) + fees) throw rejected('bad-cb-amount');
    const undo = [...overlay.spent]
      .filter((key) => this.utxos.has(key))
      .map((key) => ({ key, coin: this.utxos.get(key)! }));
    for (const { key } of undo) this.utxos.delete(key);
    for (const [key, coin] of overlay.created) if (!overlay.spent.has(key)) this.utxos.set(key, coin);
    txs.forEach((tx, index) => {
      this.txIndex.set(toHex(tx.getHash()), { height: ctx.height, index });
    });
    const entry: BlockEntry = { hash, height: ctx.height, block, raw, undo };
    this.blocks.set(toHex(hash), entry);
    this.active.push(entry);
    return entry;
  }

  /** Disconnects the tip; returns its non-coinbase transactions (for the mempool). */
  disconnectTip(): Transaction[] {
    if (this.active.length <= 1)
      throw new ChainError('CHAIN_INVALID_ARGUMENT', 'cannot disconnect the genesis block');
    const entry = this.active.pop()!;
    const txs = entry.block.transactions ?? [];
    for (const tx of txs) {
      const txid = tx.getHash();
      for (let vout = 0; vout < tx.outs.length; vout++) this.utxos.delete(outpointKey(txid, vout));
      this.txIndex.delete(toHex(txid));
    }
    for (const { key, coin } of entry.undo) this.utxos.set(key, coin);
    return txs.slice(1);
  }

  /** Active-chain entry of `hash`, or undefined. */
  activeEntry(hash: Uint8Array): BlockEntry | undefined {
    const entry = this.blocks.get(toHex(hash));
    return entry && this.active[entry.height] === entry ? entry : undefined;
  }
}
