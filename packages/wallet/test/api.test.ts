import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashToDisplay } from '@shoal/chain';
import { walletApi } from '../src/api.js';
import { WalletError } from '../src/errors.js';
import { fundOnRegtest } from '../src/regtest-funding.js';
import { type Env, MATURITY, makeEnv, OTHER_ADDRESS } from './helpers.js';

const isWalletError = (code: string) => (e: unknown) => e instanceof WalletError && e.code === code;

describe('Eclair-compatible wallet API', { timeout: 60_000 }, () => {
  let env: Env;
  let api: ReturnType<typeof walletApi>;
  before(async () => {
    env = await makeEnv(17);
    api = walletApi(env.wallet);
  });
  after(() => env.cleanup());

  it('fundOnRegtest funds the wallet; onchainbalance answers in satoshis', async () => {
    const balance = await fundOnRegtest(env.wallet, env.chain, { blocks: 2, maturity: MATURITY });
    assert.equal(balance.confirmed, 2n * 50n * 100_000_000n);
    assert.deepEqual(await api.onchainbalance!({}), { confirmed: 10_000_000_000, unconfirmed: 0 });
    assert.match(String(await api.getnewaddress!({})), /^bcrt1q/);
  });

  it('sendonchain returns the display txid of a transaction in the mempool', async () => {
    const txid = await api.sendonchain!({
      address: OTHER_ADDRESS,
      amountSatoshis: '150000',
      confirmationTarget: '6',
    });
    assert.deepEqual(
      env.chain.getMempool().map((t) => hashToDisplay(t)),
      [txid],
    );
    const txid2 = await api.sendonchain!({
      address: OTHER_ADDRESS,
      amountSatoshis: '150000',
      feeRatePerByte: '3',
    });
    assert.equal(env.chain.getMempool().length, 2);
    assert.equal(hashToDisplay(env.chain.getMempool()[1]!), txid2);
  });

  it('refuses bad parameters with typed errors naming them', async () => {
    await assert.rejects(
      api.sendonchain!({ address: OTHER_ADDRESS, amountSatoshis: '-5', confirmationTarget: '6' }),
      (e) =>
        isWalletError('WALLET_INVALID_ARGUMENT')(e) && (e as WalletError).meta.param === 'amountSatoshis',
    );
    await assert.rejects(
      api.sendonchain!({ amountSatoshis: '1000', confirmationTarget: '6' }),
      (e) => isWalletError('WALLET_INVALID_ARGUMENT')(e) && (e as WalletError).meta.param === 'address',
    );
    await assert.rejects(
      api.sendonchain!({ address: OTHER_ADDRESS, amountSatoshis: '1000' }),
      (e) =>
        isWalletError('WALLET_INVALID_ARGUMENT')(e) && (e as WalletError).meta.param === 'confirmationTarget',
    );
    await assert.rejects(
      api.bumpfee!({ txid: 'ab', feeRatePerByte: '5' }),
      isWalletError('WALLET_INVALID_ARGUMENT'),
    );
    await assert.rejects(
      api.bumpfee!({ txid: '00'.repeat(32), feeRatePerByte: '5' }),
      isWalletError('WALLET_NOT_REPLACEABLE'),
    );
  });
});
