import type { BitcoinNetwork, OutPoint } from '@shoal/chain';
import type { KeyChain } from './keys.js';

/** Networks the wallet works on (the chain source's). */
export type WalletNetwork = BitcoinNetwork;

/** Where a wallet coin's key is: chain (0 receive, 1 change) and index. */
export interface KeyPath {
  readonly change: KeyChain;
  readonly index: number;
}

/** A coin of the wallet, as `listUnspent` returns it. */
export interface WalletUtxo {
  readonly outpoint: OutPoint;
  readonly value: bigint;
  readonly script: Uint8Array;
  readonly keyPath: KeyPath;
  /** Block height it confirmed at; undefined while unconfirmed. */
  readonly height: number | undefined;
  readonly coinbase: boolean;
  /** Locked for a funding transaction that is not committed yet. */
  readonly reserved: boolean;
}

/** Eclair's `onchainbalance`, in satoshis. */
export interface OnChainBalance {
  /** Confirmed, spendable (mature) and not spent by a wallet transaction. */
  readonly confirmed: bigint;
  /**
   * Unconfirmed outputs the wallet knows of: its own transactions' (change) and those whose block
   * left the chain. Others' mempool payments are not seen (`ChainSource` has no mempool view).
   */
  readonly unconfirmed: bigint;
  /** Coinbase outputs that are not mature yet. */
  readonly immature: bigint;
}

/** How the fee rate is chosen: a confirmation target for the estimator, or a fixed rate. */
export type FeeChoice =
  | { readonly confirmationTarget: number; readonly feeRatePerKw?: undefined }
  | { readonly feeRatePerKw: bigint; readonly confirmationTarget?: undefined };

/** A transaction the wallet built and signed. */
export interface SignedTransaction {
  /** Internal byte order. */
  readonly txid: Uint8Array;
  readonly raw: Uint8Array;
  /** Fee paid, satoshis. */
  readonly fee: bigint;
  readonly feeRatePerKw: bigint;
  /** Index of the change output, if one was added. */
  readonly changeIndex: number | undefined;
}

/** Result of `createFundingTransaction`. */
export interface FundingTransaction extends SignedTransaction {
  /** Index of the BOLT 3 funding output (`funding_output_index`). */
  readonly outputIndex: number;
  /** The 2-of-2 witness script behind the P2WSH output. */
  readonly witnessScript: Uint8Array;
}

/** Minimal logger injected into components. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
