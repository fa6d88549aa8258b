import { ChainError, hashToDisplay, type RegtestChain } from '@shoal/chain';
import { type Wallet, WalletError, walletApi } from '@shoal/wallet';
import { type AnyApiCall, ApiError, badParam, formCall, missingParam } from './api/index.js';

/** Most blocks one `generate` call mines (Bitcoin Core's `generatetoaddress` has no limit; we keep calls short). */
export const MAX_GENERATE_BLOCKS = 1000;

/** What the wallet calls change (logged as mutations by the API layer). */
const MUTATING = new Set(['getnewaddress', 'sendonchain', 'bumpfee']);

const SUMMARIES: Readonly<Record<string, string>> = {
  getnewaddress: 'a new P2WPKH receive address of the on-chain wallet',
  onchainbalance: '{confirmed, unconfirmed} in satoshis',
  sendonchain: 'address, amountSatoshis, confirmationTarget | feeRatePerByte -> txid',
  bumpfee: 'Shoal: txid, feeRatePerByte -> txid of the replacement',
  generate: 'Shoal, embedded regtest chain only: blocks, address? -> block hashes',
};

/**
 * Turns the wallet's and chain's errors into the API's: invalid arguments are a 400 naming the
 * field (Eclair's wording), failures the client can act on (not enough funds, a rejected
 * transaction) a 500 showing the message; anything else stays an internal error (logged, id only).
 */
export function walletClientError(err: unknown): ApiError | undefined {
  if (err instanceof WalletError) {
    const param = typeof err.meta.param === 'string' ? err.meta.param : undefined;
    switch (err.code) {
      case 'WALLET_INVALID_ARGUMENT':
        if (param === undefined) return new ApiError('API_BAD_PARAM', err.message, {}, { cause: err });
        return err.message.startsWith('missing parameter')
          ? missingParam(param)
          : badParam(param, err.message);
      case 'WALLET_BAD_ADDRESS':
        return badParam('address', err.message);
      case 'WALLET_DUST':
        return badParam('amountSatoshis', err.message);
      case 'WALLET_FEE_TOO_LOW':
        return badParam('feeRatePerByte', err.message);
      case 'WALLET_UNKNOWN_TRANSACTION':
        return new ApiError('API_NOT_FOUND', err.message, {}, { cause: err });
      case 'WALLET_INSUFFICIENT_FUNDS':
      case 'WALLET_NOT_REPLACEABLE':
        return new ApiError('API_FAILED', err.message, {}, { cause: err });
      default:
        return undefined;
    }
  }
  if (err instanceof ChainError && (err.code === 'CHAIN_TX_REJECTED' || err.code === 'CHAIN_SCRIPT_FAILED')) {
    return new ApiError('API_FAILED', err.message, {}, { cause: err });
  }
  return undefined;
}

/**
 * The wallet's Eclair calls (`getnewaddress`, `onchainbalance`, `sendonchain`, Shoal's `bumpfee`)
 * and Shoal's regtest-only `generate`, as API calls for the server's `extraCalls`. `regtest` is
 * the embedded chain when it is the chain source; otherwise `generate` answers 400.
 */
export function walletCalls(wallet: Wallet, regtest: RegtestChain | undefined): AnyApiCall[] {
  const calls = Object.entries(walletApi(wallet)).map(([name, handler]) =>
    formCall(name, (fields) => handler(fields), {
      summary: SUMMARIES[name] ?? '',
      mutates: MUTATING.has(name),
      clientError: walletClientError,
    }),
  );
  calls.push(
    formCall(
      'generate',
      async (fields) => {
        if (regtest === undefined) {
          throw new ApiError(
            'API_BAD_PARAM',
            'generate is only available on the embedded regtest chain (chain = regtest without bitcoind); use bitcoind-cli generatetoaddress',
          );
        }
        const blocks = parseBlocks(fields.blocks);
        const address = fields.address === undefined || fields.address === '' ? undefined : fields.address;
        let hashes: Uint8Array[];
        try {
          hashes = await regtest.generate(blocks, address);
        } catch (err) {
          if (err instanceof ChainError && err.code === 'CHAIN_INVALID_ARGUMENT')
            throw badParam('address', err.message);
          throw err;
        }
        // The wallet has seen the new blocks before the answer, so a following call reads them.
        await wallet.sync();
        return hashes.map(hashToDisplay);
      },
      { summary: SUMMARIES.generate ?? '', mutates: true, clientError: walletClientError },
    ),
  );
  return calls;
}

function parseBlocks(text: string | undefined): number {
  if (text === undefined) throw missingParam('blocks');
  if (!/^[0-9]{1,4}$/.test(text)) throw badParam('blocks', 'expected a positive integer');
  const n = Number(text);
  if (n < 1 || n > MAX_GENERATE_BLOCKS) throw badParam('blocks', `expected 1 to ${MAX_GENERATE_BLOCKS}`);
  return n;
}
