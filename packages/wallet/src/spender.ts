import { secp256k1 } from '@shoal/crypto';
import { payments, type Transaction } from 'bitcoinjs-lib';
import type { AddressBook } from './address-book.js';
import { type Candidate, feeForWeight, selectCoins } from './coin-selection.js';
import { type Coin, type CoinSet, outpointKey } from './coin-set.js';
import { DUST_LIMIT, WEIGHT } from './constants.js';
import { WalletError } from './errors.js';
import { buildSignedTransaction, type SpendableInput, type TxOutput } from './tx-builder.js';
import type { SignedTransaction } from './types.js';

/** What to pay, at which rate, from which coins. */
export interface SpendRequest {
  readonly outputs: readonly TxOutput[];
  readonly feeRatePerKw: bigint;
  readonly locktime: number;
  readonly spendable: (coin: Coin) => boolean;
}

/** A transaction the spender built, with what it needs to replace or release it later. */
export interface Built {
  readonly tx: Transaction;
  readonly result: SignedTransaction;
  readonly outputIndexes: readonly number[];
  readonly request: SpendRequest;
  readonly inputs: readonly Coin[];
}

/** P2WPKH change output weight: value, script length, 22-byte script. */
const CHANGE_WEIGHT = WEIGHT.outputBase + 4 * 22;
/** BIP125 rule 4 at Bitcoin Core's default incremental relay fee (1 sat/vB). */
const INCREMENTAL_RELAY_PER_KW = 250n;

/**
 * BOLT 3 "Funding Transaction Output": P2WSH of `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG`, the
 * lexicographically lesser compressed key first.
 */
export function fundingScripts(
  a: Uint8Array,
  b: Uint8Array,
): { witnessScript: Uint8Array; script: Uint8Array } {
  for (const key of [a, b])
    if (key.length !== 33 || !secp256k1.isPublicKey(key))
      throw new WalletError('WALLET_INVALID_ARGUMENT', 'funding pubkeys must be valid compressed keys', {
        length: key.length,
      });
  const pubkeys = Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? [a, b] : [b, a];
  const redeem = payments.p2ms({ m: 2, pubkeys });
  const p2wsh = payments.p2wsh({ redeem });
  return { witnessScript: redeem.output!, script: p2wsh.output! };
}

/** Coin selection, signing, reservations and the record of sent transactions (for RBF). */
export class Spender {
  readonly #coins: CoinSet;
  readonly #book: AddressBook;
  readonly #reservations = new Map<string, Built>();
  readonly #reserved = new Set<string>();
  readonly #sent = new Map<string, Built>();

  constructor(deps: { coins: CoinSet; book: AddressBook }) {
    this.#coins = deps.coins;
    this.#book = deps.book;
  }

  isReserved(key: string): boolean {
    return this.#reserved.has(key);
  }

  /**
   * Selects coins (see `selectCoins`), adds change on the change chain when above dust, signs.
   * Synchronous on purpose: nothing can pick the same coins between selection and reservation.
   */
  build(request: SpendRequest): Built {
    const candidates: Candidate<Coin>[] = [];
    for (const coin of this.#coins.coins()) {
      if (this.#reserved.has(outpointKey(coin.outpoint.txid, coin.outpoint.vout))) continue;
      if (request.spendable(coin))
        candidates.push({ value: coin.value, inputWeight: WEIGHT.p2wpkhInput, coin });
    }
    const amount = request.outputs.reduce((a, o) => a + o.value, 0n);
    const baseWeight = request.outputs.reduce(
      (w, o) => w + WEIGHT.outputBase + 4 * o.script.length,
      WEIGHT.txOverhead,
    );
    const selection = selectCoins(candidates, {
      amount,
      feeRatePerKw: request.feeRatePerKw,
      baseWeight,
      changeWeight: CHANGE_WEIGHT,
      changeSpendWeight: WEIGHT.p2wpkhInput,
      changeDust: DUST_LIMIT.p2wpkh,
    });
    if (!selection) {
      const available = candidates.reduce((a, c) => a + c.value, 0n);
      throw new WalletError(
        'WALLET_INSUFFICIENT_FUNDS',
        `cannot pay ${amount} sat plus fees at ${request.feeRatePerKw} sat/kw from ${available} sat spendable`,
        {
          amountSat: amount.toString(),
          availableSat: available.toString(),
          feeRatePerKw: request.feeRatePerKw.toString(),
        },
      );
    }
    return this.#sign(
      selection.selected.map((c) => c.coin),
      request,
      selection.change,
    );
  }

  reserve(built: Built): void {
    const txidHex = Buffer.from(built.result.txid).toString('hex');
    this.#reservations.set(txidHex, built);
    for (const coin of built.inputs) this.#reserved.add(outpointKey(coin.outpoint.txid, coin.outpoint.vout));
  }

  /** Ends a reservation and returns its transaction; `WALLET_UNKNOWN_TRANSACTION` if none. */
  release(txidHex: string): Built {
    const built = this.#reservations.get(txidHex);
    if (!built)
      throw new WalletError('WALLET_UNKNOWN_TRANSACTION', 'no reserved transaction with this txid', {
        txid: txidHex,
      });
    this.#reservations.delete(txidHex);
    for (const coin of built.inputs)
      this.#reserved.delete(outpointKey(coin.outpoint.txid, coin.outpoint.vout));
    return built;
  }

  /** Records a sent transaction so it can be fee-bumped. */
  remember(built: Built): void {
    this.#sent.set(Buffer.from(built.result.txid).toString('hex'), built);
  }

  /** Ends reservations whose coins a block spent, and forgets sent transactions no longer pending. */
  releaseSpent(): void {
    for (const [txidHex, built] of this.#reservations)
      if (built.inputs.some((coin) => this.#current(coin)?.spentBy !== undefined)) this.release(txidHex);
    for (const [txidHex, built] of this.#sent)
      if (!built.inputs.every((coin) => this.#pendingSpendOf(coin, txidHex))) this.#sent.delete(txidHex);
  }

  /** BIP125 replacement of a sent, unconfirmed transaction: same inputs and payments, at `feeRatePerKw`. */
  replace(txidHex: string, feeRatePerKw: bigint): { built: Built; original: Built } {
    const original = this.#sent.get(txidHex);
    if (!original?.inputs.every((coin) => this.#pendingSpendOf(coin, txidHex)))
      throw new WalletError('WALLET_NOT_REPLACEABLE', 'not an unconfirmed transaction this wallet sent', {
        txid: txidHex,
      });
    const request = { ...original.request, feeRatePerKw };
    const total = original.inputs.reduce((a, c) => a + c.value, 0n);
    const amount = request.outputs.reduce((a, o) => a + o.value, 0n);
    const weight =
      request.outputs.reduce((w, o) => w + WEIGHT.outputBase + 4 * o.script.length, WEIGHT.txOverhead) +
      original.inputs.length * WEIGHT.p2wpkhInput;
    const fee = feeForWeight(weight + CHANGE_WEIGHT, feeRatePerKw);
    let change = total - amount - fee;
    if (change < DUST_LIMIT.p2wpkh) change = 0n;
    const newFee = change === 0n ? total - amount : fee;
    const minFee = original.result.fee + feeForWeight(weight, INCREMENTAL_RELAY_PER_KW);
    if (total - amount < feeForWeight(weight, feeRatePerKw))
      throw new WalletError('WALLET_INSUFFICIENT_FUNDS', 'the inputs cannot pay this fee rate', {
        amountSat: amount.toString(),
        availableSat: total.toString(),
        feeRatePerKw: feeRatePerKw.toString(),
      });
    if (newFee < minFee)
      throw new WalletError('WALLET_FEE_TOO_LOW', `a replacement must pay at least ${minFee} sat`, {
        feeSat: newFee.toString(),
        minimumFeeSat: minFee.toString(),
      });
    const built = this.#sign(original.inputs, request, change);
    this.#sent.delete(txidHex);
    return { built, original };
  }

  #current(coin: Coin): Coin | undefined {
    return this.#coins.get(outpointKey(coin.outpoint.txid, coin.outpoint.vout));
  }

  #pendingSpendOf(coin: Coin, txidHex: string): boolean {
    const spent = this.#current(coin)?.spentBy;
    return spent !== undefined && spent.txid === txidHex && spent.height === undefined;
  }

  #sign(coins: readonly Coin[], request: SpendRequest, change: bigint): Built {
    const outputs: TxOutput[] = [...request.outputs];
    if (change > 0n) outputs.push({ script: this.#book.take(1).script, value: change });
    const inputs: SpendableInput[] = coins.map((coin) => ({
      outpoint: coin.outpoint,
      value: coin.value,
      key: this.#book.key(coin.keyPath),
    }));
    const { tx, outputIndexes } = buildSignedTransaction(inputs, outputs, request.locktime);
    const totalIn = coins.reduce((a, c) => a + c.value, 0n);
    const fee = totalIn - outputs.reduce((a, o) => a + o.value, 0n);
    const result: SignedTransaction = {
      txid: tx.getHash(),
      raw: tx.toBuffer(),
      fee,
      feeRatePerKw: (fee * 1000n) / BigInt(tx.weight()),
      changeIndex: change > 0n ? outputIndexes[outputs.length - 1] : undefined,
    };
    return { tx, result, outputIndexes, request, inputs: coins };
  }
}
