import type { OutPoint } from '@shoal/chain';
import type { Transaction } from 'bitcoinjs-lib';
import type { KeyPath } from './types.js';

/** A wallet coin and, once spent, by what. Heights are undefined while unconfirmed. */
export interface Coin {
  readonly outpoint: OutPoint;
  readonly value: bigint;
  readonly script: Uint8Array;
  readonly keyPath: KeyPath;
  readonly coinbase: boolean;
  height: number | undefined;
  spentBy: { txid: string; height: number | undefined } | undefined;
}

/** `txid-hex:vout`, txid in internal order. */
export function outpointKey(txid: Uint8Array, vout: number): string {
  return `${Buffer.from(txid).toString('hex')}:${vout}`;
}

/**
 * The wallet's coins, built from transactions seen in blocks (and the wallet's own unconfirmed
 * ones). Connecting is idempotent, so a block can be applied again after the address lookahead
 * grew; disconnecting turns what the block confirmed back into unconfirmed, and `dropTransaction`
 * removes what a transaction that left the chain and the mempool had created or spent.
 */
export class CoinSet {
  readonly #coins = new Map<string, Coin>();

  clear(): void {
    this.#coins.clear();
  }

  get size(): number {
    return this.#coins.size;
  }

  coins(): IterableIterator<Coin> {
    return this.#coins.values();
  }

  get(key: string): Coin | undefined {
    return this.#coins.get(key);
  }

  /**
   * Applies `tx` at `height` (undefined: unconfirmed). `lookup` maps an output script (hex) to its
   * key path when it is the wallet's. Returns the key paths the transaction paid to.
   */
  apply(
    tx: Transaction,
    height: number | undefined,
    lookup: (scriptHex: string) => KeyPath | undefined,
  ): KeyPath[] {
    const txid = tx.getHash();
    const txidHex = Buffer.from(txid).toString('hex');
    if (!tx.isCoinbase()) {
      for (const input of tx.ins) {
        const coin = this.#coins.get(outpointKey(input.hash, input.index));
        if (!coin) continue;
        const previous = coin.spentBy;
        if (previous && previous.txid !== txidHex && (height === undefined || previous.height !== undefined))
          continue;
        coin.spentBy = { txid: txidHex, height };
        // A conflicting spend confirmed: the unconfirmed one we knew of (say, replaced by RBF) is gone.
        if (previous && previous.txid !== txidHex) this.dropTransaction(previous.txid);
      }
    }
    const paid: KeyPath[] = [];
    tx.outs.forEach((out, vout) => {
      const keyPath = lookup(Buffer.from(out.script).toString('hex'));
      if (!keyPath) return;
      paid.push(keyPath);
      const key = outpointKey(txid, vout);
      const known = this.#coins.get(key);
      if (known) {
        if (height !== undefined) known.height = height;
        return;
      }
      this.#coins.set(key, {
        outpoint: { txid, vout },
        value: out.value,
        script: out.script,
        keyPath,
        coinbase: tx.isCoinbase(),
        height,
        spentBy: undefined,
      });
    });
    return paid;
  }

  /**
   * The block at `height` left the chain: its coins and spends become unconfirmed (coinbase coins
   * vanish, a coinbase never returns to the mempool). Returns the txids (hex) now unconfirmed.
   */
  disconnect(height: number): Set<string> {
    const unconfirmed = new Set<string>();
    for (const [key, coin] of this.#coins) {
      if (coin.spentBy?.height === height) {
        coin.spentBy.height = undefined;
        unconfirmed.add(coin.spentBy.txid);
      }
      if (coin.height !== height) continue;
      if (coin.coinbase) {
        this.#coins.delete(key);
        continue;
      }
      coin.height = undefined;
      unconfirmed.add(key.slice(0, 64));
    }
    return unconfirmed;
  }

  /** Txids (hex) of every unconfirmed transaction the set depends on. */
  unconfirmedTxids(): Set<string> {
    const txids = new Set<string>();
    for (const [key, coin] of this.#coins) {
      if (coin.height === undefined) txids.add(key.slice(0, 64));
      if (coin.spentBy && coin.spentBy.height === undefined) txids.add(coin.spentBy.txid);
    }
    return txids;
  }

  /**
   * Forgets an unconfirmed transaction that is neither in a block nor in the mempool: its outputs
   * go (and, recursively, whatever spent them), the coins it spent are unspent again.
   */
  dropTransaction(txidHex: string): void {
    for (const [key, coin] of this.#coins) {
      if (coin.spentBy?.txid === txidHex && coin.spentBy.height === undefined) coin.spentBy = undefined;
      if (key.startsWith(`${txidHex}:`) && coin.height === undefined) {
        this.#coins.delete(key);
        if (coin.spentBy && coin.spentBy.height === undefined) this.dropTransaction(coin.spentBy.txid);
      }
    }
  }

  /** Forgets coins whose spend is buried deeper than `depth` below `tipHeight`. */
  prune(tipHeight: number, depth: number): void {
    for (const [key, coin] of this.#coins) {
      const h = coin.spentBy?.height;
      if (h !== undefined && tipHeight - h >= depth) this.#coins.delete(key);
    }
  }
}
