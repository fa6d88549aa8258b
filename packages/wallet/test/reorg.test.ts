import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { p2wpkhAddress } from '../src/address.js';
import { Bip84WalletKeys } from '../src/keys.js';
import { MemoryWalletPersistence } from '../src/persistence.js';
import type { Wallet } from '../src/wallet.js';
import { type Env, fund, MATURITY, makeEnv, OTHER_ADDRESS } from './helpers.js';

const SUBSIDY = 50n * 100_000_000n;

async function unspentKeys(wallet: Wallet): Promise<string[]> {
  return (await wallet.listUnspent())
    .map((u) => `${Buffer.from(u.outpoint.txid).toString('hex')}:${u.outpoint.vout}:${u.value}:${u.height}`)
    .sort();
}

describe('reorgs, rescans and restarts', { timeout: 120_000 }, () => {
  let env: Env;
  before(async () => {
    env = await makeEnv(11);
  });
  after(() => env.cleanup());

  it('a coinbase from a disconnected block disappears', async () => {
    await env.chain.generate(1, await env.wallet.getNewAddress());
    await env.wallet.sync();
    assert.equal((await env.wallet.onChainBalance()).immature, SUBSIDY);
    await env.chain.reorg(1);
    await env.wallet.sync();
    assert.deepEqual(await env.wallet.onChainBalance(), { confirmed: 0n, unconfirmed: 0n, immature: 0n });
    assert.equal((await env.wallet.listUnspent()).length, 0);
  });

  it('a transaction from a disconnected block goes back to unconfirmed, then confirms again', async () => {
    await fund(env, 1);
    const sent = await env.wallet.sendOnChain(OTHER_ADDRESS, 2_000_000n, { feeRatePerKw: 1000n });
    const change = SUBSIDY - 2_000_000n - sent.fee;
    const [hash] = await env.chain.generate(1);
    await env.wallet.sync();
    assert.deepEqual(await env.wallet.onChainBalance(), { confirmed: change, unconfirmed: 0n, immature: 0n });
    await env.chain.invalidateBlock(hash!);
    await env.wallet.sync();
    assert.deepEqual(await env.wallet.onChainBalance(), { confirmed: 0n, unconfirmed: change, immature: 0n });
    await env.chain.generate(1);
    await env.wallet.sync();
    assert.deepEqual(await env.wallet.onChainBalance(), { confirmed: change, unconfirmed: 0n, immature: 0n });
  });

  it('a payment whose parent vanished in a reorg disappears', async () => {
    const payer = await env.newWallet({}, new MemoryWalletPersistence(), new Uint8Array(32).fill(99));
    const before = await env.wallet.onChainBalance();
    const [coinbaseBlock] = await env.chain.generate(1, await payer.getNewAddress());
    await env.chain.generate(MATURITY);
    await payer.sync();
    await payer.sendOnChain(await env.wallet.getNewAddress(), 3_000_000n, { feeRatePerKw: 1000n });
    await env.chain.generate(1);
    await env.wallet.sync();
    assert.equal((await env.wallet.onChainBalance()).confirmed, before.confirmed + 3_000_000n);
    // The payer's coinbase leaves the chain, so its payment cannot come back.
    await env.chain.invalidateBlock(coinbaseBlock!);
    await env.chain.generate(MATURITY + 2);
    await env.wallet.sync();
    await payer.sync();
    assert.deepEqual(await env.wallet.onChainBalance(), before);
    assert.deepEqual(await payer.onChainBalance(), { confirmed: 0n, unconfirmed: 0n, immature: 0n });
  });

  it('a rescan from the birthday finds the same coins; a restart keeps the address index', async () => {
    const birthday = 0;
    const rescanned = await env.newWallet({ birthday }, new MemoryWalletPersistence());
    assert.deepEqual(await unspentKeys(rescanned), await unspentKeys(env.wallet));
    assert.deepEqual(await rescanned.onChainBalance(), await env.wallet.onChainBalance());
    const before = (await env.persistence.load())!;
    await env.wallet.stop();
    await env.wallet.start();
    assert.deepEqual(await env.persistence.load(), before);
    assert.deepEqual(await unspentKeys(env.wallet), await unspentKeys(rescanned));
  });

  it('gap limit: a rescan follows used addresses up to 20 unused in a row', async () => {
    const seed = new Uint8Array(32).fill(42);
    const keys = Bip84WalletKeys.fromSeed(seed, 'regtest');
    const addr = (index: number) => p2wpkhAddress(keys.derive(0, index).publicKey, 'regtest');
    const start = (await env.chain.getTip()).height + 1;
    await env.chain.generate(1, addr(15));
    await env.chain.generate(1, addr(30)); // within 20 of index 15
    await env.chain.generate(1, addr(80)); // 49 unused addresses before it: not found
    await env.chain.generate(MATURITY);
    const wallet = await env.newWallet({ birthday: start }, new MemoryWalletPersistence(), seed);
    const found = (await wallet.listUnspent()).map((u) => u.keyPath.index).sort((a, b) => a - b);
    assert.deepEqual(found, [15, 30]);
    // The next address handed out is past the last used one.
    assert.equal(await wallet.getNewAddress(), addr(31));
  });

  it('a reorg deeper than maxReorgDepth falls back to a rescan from the birthday', async () => {
    const seed = new Uint8Array(32).fill(55);
    const start = (await env.chain.getTip()).height + 1;
    const wallet = await env.newWallet(
      { birthday: start, maxReorgDepth: 2 },
      new MemoryWalletPersistence(),
      seed,
    );
    await env.chain.generate(1, await wallet.getNewAddress());
    const kept = await wallet.getNewAddress();
    await env.chain.generate(5);
    await wallet.sync();
    assert.equal((await wallet.onChainBalance()).confirmed, SUBSIDY);
    // Replace the 6 blocks (the coinbase's among them); the new branch pays the second address.
    await env.chain.reorg(6, kept);
    await wallet.sync();
    const coins = await wallet.listUnspent();
    assert.equal(coins.length, 7);
    assert.ok(coins.every((c) => c.keyPath.index === 1 && c.coinbase));
    assert.equal(wallet.height, (await env.chain.getTip()).height);
  });
});
