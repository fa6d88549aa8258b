import type { Transaction } from 'bitcoinjs-lib';
import { outpointKey, toHex } from '../bytes.js';
import type { Coin, CoinView } from './consensus.js';

interface MempoolEntry {
  readonly tx: Transaction;
  readonly fee: bigint;
}

/**
 * Unconfirmed transactions in arrival order (so a parent always precedes its children), with
 * the outpoints they spend. No replacement: a conflicting transaction is refused.
 */
export class Mempool {
  readonly #entries = new Map<string, MempoolEntry>();
  readonly #spentBy = new Map<string, string>();

  get size(): number {
    return this.#entries.size;
  }

  has(txidHex: string): boolean {
    return this.#entries.has(txidHex);
  }

  get(txidHex: string): Transaction | undefined {
    return this.#entries.get(txidHex)?.tx;
  }

  transactions(): Transaction[] {
    return [...this.#entries.values()].map((e) => e.tx);
  }

  /** Txid (hex) of the mempool transaction spending `key`, if any. */
  spender(key: string): string | undefined {
    return this.#spentBy.get(key);
  }

  add(tx: Transaction, fee: bigint): void {
    const txid = toHex(tx.getHash());
    this.#entries.set(txid, { tx, fee });
    for (const input of tx.ins) this.#spentBy.set(outpointKey(input.hash, input.index), txid);
  }

  /** Removes `txidHex` and every mempool transaction that spends its outputs, recursively. */
  removeWithDescendants(txidHex: string): void {
    const entry = this.#entries.get(txidHex);
    if (!entry) return;
    this.#entries.delete(txidHex);
    for (const input of entry.tx.ins) this.#spentBy.delete(outpointKey(input.hash, input.index));
    entry.tx.outs.forEach((_, vout) => {
      const child = this.#spentBy.get(`${txidHex}:${vout}`);
      if (child) this.removeWithDescendants(child);
    });
  }

  /** Drops what a newly connected block confirmed, and whatever now conflicts with it. */
  removeForBlock(txs: readonly Transaction[]): void {
    for (const tx of txs) {
      const txid = toHex(tx.getHash());
      if (this.#entries.has(txid)) {
        const entry = this.#entries.get(txid)!;
        this.#entries.delete(txid);
        for (const input of entry.tx.ins) this.#spentBy.delete(outpointKey(input.hash, input.index));
        continue;
      }
      if (tx.isCoinbase()) continue;
      for (const input of tx.ins) {
        const conflict = this.#spentBy.get(outpointKey(input.hash, input.index));
        if (conflict) this.removeWithDescendants(conflict);
      }
    }
  }

  /** Confirmed coins plus the outputs of mempool transactions (as if in the next block). */
  view(confirmed: CoinView, nextHeight: number): CoinView {
    return {
      get: (key: string): Coin | undefined => {
        const coin = confirmed.get(key);
        if (coin) return coin;
        const [txid, vout] = key.split(':');
        const out = this.#entries.get(txid!)?.tx.outs[Number(vout)];
        return out && { value: out.value, script: out.script, height: nextHeight, coinbase: false };
      },
    };
  }

  clear(): void {
    this.#entries.clear();
    this.#spentBy.clear();
  }
}
