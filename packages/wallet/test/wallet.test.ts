import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { addressToScript } from '../src/address.js';
import { SEQUENCE_RBF } from '../src/constants.js';
import { WalletError } from '../src/errors.js';
import { type Env, fund, MATURITY, makeEnv, OTHER_ADDRESS } from './helpers.js';

const isWalletError = (code: string) => (e: unknown) => e instanceof WalletError && e.code === code;
const SUBSIDY = 50n * 100_000_000n;

describe('Wallet on a regtest chain', { timeout: 120_000 }, () => {
  let env: Env;
  before(async () => {
    env = await makeEnv();
  });
  after(() => env.cleanup());

  it('hands out distinct regtest P2WPKH addresses and persists the next index', async () => {
    const a = await env.wallet.getNewAddress();
    const b = await env.wallet.getNewAddress();
    assert.match(a, /^bcrt1q[0-9a-z]{38}$/);
    assert.notEqual(a, b);
    const saved = JSON.parse(readFileSync(join(env.dir, 'wallet-0.json'), 'utf8'));
    assert.equal(saved.nextIndex.receive, 2);
  });

  it('sees coinbase coins as immature, then confirmed once mature', async () => {
    await env.chain.generate(1, await env.wallet.getNewAddress());
    await env.wallet.sync();
    assert.deepEqual(await env.wallet.onChainBalance(), {
      confirmed: 0n,
      unconfirmed: 0n,
      immature: SUBSIDY,
    });
    await env.chain.generate(MATURITY - 1);
    await env.wallet.sync();
    assert.deepEqual(await env.wallet.onChainBalance(), {
      confirmed: SUBSIDY,
      unconfirmed: 0n,
      immature: 0n,
    });
  });

  it('sends on chain: signed right (the chain verifies witnesses), RBF, anti fee-sniping, change', async () => {
    const tip = await env.chain.getTip();
    const sent = await env.wallet.sendOnChain(OTHER_ADDRESS, 1_000_000n, { confirmationTarget: 6 });
    const mempool = env.chain.getMempool().map((t) => Buffer.from(t).toString('hex'));
    assert.ok(mempool.includes(Buffer.from(sent.txid).toString('hex')));
    const tx = Transaction.fromBuffer(Buffer.from(sent.raw));
    assert.equal(tx.locktime, tip.height);
    for (const input of tx.ins) assert.equal(input.sequence, SEQUENCE_RBF);
    assert.equal(tx.outs.length, 2);
    const payment = tx.outs.find((o) =>
      Buffer.from(o.script).equals(addressToScript(OTHER_ADDRESS, 'regtest')),
    )!;
    assert.equal(payment.value, 1_000_000n);
    assert.notEqual(sent.changeIndex, undefined);
    const change = tx.outs[sent.changeIndex!]!.value;
    assert.equal(change, SUBSIDY - 1_000_000n - sent.fee);
    // The regtest estimator answers 2500 sat/kw; the fee covers it for the real weight.
    assert.ok(sent.fee * 1000n >= 2500n * BigInt(tx.weight()));
    assert.ok(sent.fee * 1000n < 2600n * BigInt(tx.weight()));
    assert.deepEqual(await env.wallet.onChainBalance(), { confirmed: 0n, unconfirmed: change, immature: 0n });
    await env.chain.generate(1, OTHER_ADDRESS);
    await env.wallet.sync();
    assert.deepEqual(await env.wallet.onChainBalance(), { confirmed: change, unconfirmed: 0n, immature: 0n });
  });

  it('refuses: insufficient funds (naming amounts), dust, wrong network, garbage, low fee rate', async () => {
    const { confirmed } = await env.wallet.onChainBalance();
    await assert.rejects(env.wallet.sendOnChain(OTHER_ADDRESS, confirmed, { feeRatePerKw: 253n }), (e) => {
      assert.ok(isWalletError('WALLET_INSUFFICIENT_FUNDS')(e));
      const { meta } = e as WalletError;
      assert.equal(meta.amountSat, confirmed.toString());
      assert.equal(meta.availableSat, confirmed.toString());
      return true;
    });
    await assert.rejects(
      env.wallet.sendOnChain(OTHER_ADDRESS, 293n, { feeRatePerKw: 253n }),
      isWalletError('WALLET_DUST'),
    );
    await assert.rejects(
      env.wallet.sendOnChain('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', 10_000n, { feeRatePerKw: 253n }),
      (e) => isWalletError('WALLET_BAD_ADDRESS')(e) && (e as WalletError).meta.network === 'regtest',
    );
    await assert.rejects(
      env.wallet.sendOnChain('not an address', 10_000n, { feeRatePerKw: 253n }),
      isWalletError('WALLET_BAD_ADDRESS'),
    );
    await assert.rejects(
      env.wallet.sendOnChain(OTHER_ADDRESS, 10_000n, { feeRatePerKw: 252n }),
      isWalletError('WALLET_FEE_TOO_LOW'),
    );
    // Nothing was spent by the failed attempts.
    assert.equal((await env.wallet.onChainBalance()).confirmed, confirmed);
  });

  it('spends several coins at once and follows its own change', async () => {
    await fund(env, 2);
    const before = await env.wallet.onChainBalance();
    const amount = SUBSIDY + 1_000n; // needs at least two coins
    const sent = await env.wallet.sendOnChain(OTHER_ADDRESS, amount, { feeRatePerKw: 1000n });
    const tx = Transaction.fromBuffer(Buffer.from(sent.raw));
    assert.ok(tx.ins.length >= 2);
    await env.chain.generate(1, OTHER_ADDRESS);
    await env.wallet.sync();
    const afterBalance = await env.wallet.onChainBalance();
    assert.equal(afterBalance.confirmed, before.confirmed - amount - sent.fee);
  });

  it('concurrent sends never pick the same coin (the chain accepts both)', async () => {
    await fund(env, 2);
    const [a, b] = await Promise.all([
      env.wallet.sendOnChain(OTHER_ADDRESS, 100_000n, { feeRatePerKw: 1000n }),
      env.wallet.sendOnChain(OTHER_ADDRESS, 200_000n, { feeRatePerKw: 1000n }),
    ]);
    const mempool = env.chain.getMempool().map((t) => Buffer.from(t).toString('hex'));
    assert.ok(mempool.includes(Buffer.from(a.txid).toString('hex')));
    assert.ok(mempool.includes(Buffer.from(b.txid).toString('hex')));
    await env.chain.generate(1, OTHER_ADDRESS);
    await env.wallet.sync();
  });

  it('minConfirmations 0 spends its own unconfirmed change', async () => {
    const eager = await env.newWallet({ minConfirmations: 0 });
    const { confirmed } = await eager.onChainBalance();
    const first = await eager.sendOnChain(OTHER_ADDRESS, confirmed - 1_000_000n, { feeRatePerKw: 1000n });
    const second = await eager.sendOnChain(OTHER_ADDRESS, 500_000n, { feeRatePerKw: 1000n });
    const parent = Buffer.from(first.txid).toString('hex');
    const spendsChange = Transaction.fromBuffer(Buffer.from(second.raw)).ins.some(
      (i) => Buffer.from(i.hash).toString('hex') === parent,
    );
    assert.ok(spendsChange);
    assert.equal(env.chain.getMempool().length, 2);
    await env.chain.generate(1, OTHER_ADDRESS);
    await env.wallet.sync();
    await eager.stop();
  });

  it('spends nothing before start and says so', async () => {
    const fresh = await env.newWallet();
    await fresh.stop();
    await assert.rejects(fresh.getNewAddress(), isWalletError('WALLET_NOT_STARTED'));
  });
});
