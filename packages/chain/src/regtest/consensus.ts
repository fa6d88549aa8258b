import type { Transaction } from 'bitcoinjs-lib';
import { outpointKey } from '../bytes.js';
import {
  LOCKTIME_THRESHOLD,
  MAX_MONEY,
  SEQUENCE_FINAL,
  SEQUENCE_LOCKTIME_DISABLE_FLAG,
  SEQUENCE_LOCKTIME_MASK,
  SEQUENCE_LOCKTIME_TYPE_FLAG,
} from '../constants.js';
import { ChainError } from '../errors.js';

/** An unspent output as the regtest chain keeps it. */
export interface Coin {
  readonly value: bigint;
  readonly script: Uint8Array;
  /** Height of the block that created it (next block's height for mempool outputs). */
  readonly height: number;
  readonly coinbase: boolean;
}

/** Read access to a set of coins keyed by {@link outpointKey}. */
export interface CoinView {
  get(key: string): Coin | undefined;
}

/** Context a transaction is checked in: the block it would go into. */
export interface BlockContext {
  /** Height of the block the transaction would be in. */
  readonly height: number;
  /** Median time past of that block's parent (BIP113). */
  readonly medianTimePast: number;
  /** Median time past of the parent of the block at a given height (BIP68 time locks). */
  medianTimePastBefore(height: number): number;
  readonly coinbaseMaturity: number;
}

export function rejected(reason: string, detail?: string): ChainError {
  return new ChainError(
    'CHAIN_TX_REJECTED',
    `transaction rejected: ${reason}${detail ? ` (${detail})` : ''}`,
    {
      reason,
    },
  );
}

/** Context-free checks (Core's CheckTransaction). */
export function checkTransaction(tx: Transaction): void {
  if (tx.ins.length === 0) throw rejected('bad-txns-vin-empty');
  if (tx.outs.length === 0) throw rejected('bad-txns-vout-empty');
  let total = 0n;
  for (const out of tx.outs) {
    if (out.value < 0n) throw rejected('bad-txns-vout-negative');
    if (out.value > MAX_MONEY) throw rejected('bad-txns-vout-toolarge');
    total += out.value;
    if (total > MAX_MONEY) throw rejected('bad-txns-txouttotal-toolarge');
  }
  const seen = new Set<string>();
  for (const input of tx.ins) {
    const key = outpointKey(input.hash, input.index);
    if (seen.has(key)) throw rejected('bad-txns-inputs-duplicate');
    seen.add(key);
  }
  if (tx.isCoinbase()) {
    const len = tx.ins[0]!.script.length;
    if (len < 2 || len > 100) throw rejected('bad-cb-length');
  } else if (tx.ins.some((i) => i.index === 0xffffffff && i.hash.every((b) => b === 0))) {
    throw rejected('bad-txns-prevout-null');
  }
}

/** nLockTime finality (Core's IsFinalTx, with BIP113 median time past). */
export function isFinal(tx: Transaction, ctx: BlockContext): boolean {
  if (tx.locktime === 0) return true;
  const limit = tx.locktime < LOCKTIME_THRESHOLD ? ctx.height : ctx.medianTimePast;
  if (tx.locktime < limit) return true;
  return tx.ins.every((i) => i.sequence === SEQUENCE_FINAL);
}

/** BIP68 relative lock-times of every input are met in `ctx`. */
export function sequenceLocksMet(tx: Transaction, coins: readonly Coin[], ctx: BlockContext): boolean {
  if (tx.version < 2) return true;
  return tx.ins.every((input, i) => {
    const seq = input.sequence;
    if ((seq & SEQUENCE_LOCKTIME_DISABLE_FLAG) !== 0) return true;
    const coinHeight = coins[i]!.height;
    const value = seq & SEQUENCE_LOCKTIME_MASK;
    if ((seq & SEQUENCE_LOCKTIME_TYPE_FLAG) !== 0) {
      // Granularity of 512 seconds, measured from the MTP before the coin's block.
      const minTime = ctx.medianTimePastBefore(coinHeight) + value * 512 - 1;
      return ctx.medianTimePast > minTime;
    }
    return ctx.height > coinHeight + value - 1;
  });
}

/**
 * Contextual input checks (Core's CheckTxInputs + finality + BIP68): inputs exist in `view`,
 * coinbases are mature, amounts balance. Returns the spent coins (in input order) and the fee.
 */
export function checkInputs(
  tx: Transaction,
  view: CoinView,
  ctx: BlockContext,
): { coins: Coin[]; fee: bigint } {
  if (!isFinal(tx, ctx)) throw rejected('non-final', `nLockTime ${tx.locktime} at height ${ctx.height}`);
  const coins: Coin[] = [];
  let totalIn = 0n;
  for (const input of tx.ins) {
    const coin = view.get(outpointKey(input.hash, input.index));
    if (!coin) throw rejected('bad-txns-inputs-missingorspent');
    if (coin.coinbase && ctx.height - coin.height < ctx.coinbaseMaturity) {
      throw rejected('bad-txns-premature-spend-of-coinbase', `depth ${ctx.height - coin.height}`);
    }
    coins.push(coin);
    totalIn += coin.value;
  }
  const totalOut = tx.outs.reduce((sum, o) => sum + o.value, 0n);
  if (totalIn < totalOut) throw rejected('bad-txns-in-belowout', `${totalIn} < ${totalOut}`);
  if (!sequenceLocksMet(tx, coins, ctx)) throw rejected('non-BIP68-final');
  return { coins, fee: totalIn - totalOut };
}

/**
 * Bitcoin Core's dust threshold at the default 3 sat/vB dust relay fee: what spending the output
 * would cost (witness programs 67 vbytes, others 148). P2WPKH 294, P2WSH 330, P2PKH 546 sat.
 */
export function dustThreshold(script: Uint8Array): bigint {
  if ((script.length > 0 && script[0] === 0x6a) || script.length > 10_000) return 0n;
  const outputSize = 8 + (script.length < 253 ? 1 : 3) + script.length;
  const isWitnessProgram =
    script.length >= 4 &&
    script.length <= 42 &&
    (script[0] === 0 || (script[0]! >= 0x51 && script[0]! <= 0x60)) &&
    script[1] === script.length - 2;
  return BigInt((outputSize + (isWitnessProgram ? 67 : 148)) * 3);
}

/** The relay policy rules of Bitcoin Core that Lightning transactions must respect. */
export function checkStandard(tx: Transaction): void {
  if (tx.version < 1 || tx.version > 3) throw rejected('version');
  if (tx.byteLength(false) < 65) throw rejected('tx-size-small');
  if (tx.weight() > 400_000) throw rejected('tx-size');
  for (const out of tx.outs) {
    if (out.value < dustThreshold(out.script)) throw rejected('dust', `${out.value} sat`);
  }
}
