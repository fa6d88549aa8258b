import { hashFromDisplay, hashToDisplay } from '@shoal/chain';
import { WalletError } from './errors.js';
import type { FeeChoice } from './types.js';
import type { Wallet } from './wallet.js';

/** POST form parameters of one API call, as Eclair's HTTP API takes them. */
export type ApiParams = Readonly<Record<string, string | undefined>>;

/** One API method: form parameters in, a JSON-serialisable result out. */
export type ApiHandler = (params: ApiParams) => Promise<unknown>;

/** sat/vB to BOLT 3's sat per 1000 weight units (1 vB = 4 WU). */
const PER_BYTE_TO_PER_KW = 250n;

/**
 * The wallet's part of the Eclair-compatible HTTP API (same method names, parameters and JSON
 * fields; amounts in satoshis, txids in display hex):
 *
 * - `getnewaddress` -> `"bcrt1q..."`
 * - `onchainbalance` -> `{ "confirmed": sat, "unconfirmed": sat }`
 * - `sendonchain` `address`, `amountSatoshis`, `confirmationTarget` | `feeRatePerByte` -> txid
 * - `bumpfee` (Shoal's, Eclair has none for wallet sends) `txid`, `feeRatePerByte` -> new txid
 */
export function walletApi(wallet: Wallet): Readonly<Record<string, ApiHandler>> {
  return {
    getnewaddress: () => wallet.getNewAddress(),
    onchainbalance: async () => {
      const balance = await wallet.onChainBalance();
      return { confirmed: Number(balance.confirmed), unconfirmed: Number(balance.unconfirmed) };
    },
    sendonchain: async (params) => {
      const address = required(params, 'address');
      const amount = unsigned(params, 'amountSatoshis');
      const sent = await wallet.sendOnChain(address, amount, feeChoice(params));
      return hashToDisplay(sent.txid);
    },
    bumpfee: async (params) => {
      const txid = required(params, 'txid');
      if (!/^[0-9a-fA-F]{64}$/.test(txid))
        throw new WalletError('WALLET_INVALID_ARGUMENT', 'txid must be 64 hex characters', { param: 'txid' });
      const bumped = await wallet.bumpFee(
        hashFromDisplay(txid),
        unsigned(params, 'feeRatePerByte') * PER_BYTE_TO_PER_KW,
      );
      return hashToDisplay(bumped.txid);
    },
  };
}

function feeChoice(params: ApiParams): FeeChoice {
  if (params.feeRatePerByte !== undefined)
    return { feeRatePerKw: unsigned(params, 'feeRatePerByte') * PER_BYTE_TO_PER_KW };
  const target = unsigned(params, 'confirmationTarget');
  if (target > 1008n)
    throw new WalletError('WALLET_INVALID_ARGUMENT', 'confirmationTarget is at most 1008', {
      param: 'confirmationTarget',
    });
  return { confirmationTarget: Number(target) };
}

function required(params: ApiParams, name: string): string {
  const value = params[name];
  if (value === undefined || value === '')
    throw new WalletError('WALLET_INVALID_ARGUMENT', `missing parameter ${name}`, { param: name });
  return value;
}

function unsigned(params: ApiParams, name: string): bigint {
  const value = required(params, name);
  if (!/^[0-9]{1,16}$/.test(value))
    throw new WalletError('WALLET_INVALID_ARGUMENT', `${name} must be a non-negative integer`, {
      param: name,
    });
  return BigInt(value);
}
