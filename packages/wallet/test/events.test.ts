import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { ChainSource } from '@shoal/chain';
import { WalletError } from '../src/errors.js';
import { Bip84WalletKeys } from '../src/keys.js';
import { MemoryWalletPersistence } from '../src/persistence.js';
import { Wallet, type WalletEvents } from '../src/wallet.js';
import { type Env, makeEnv } from './helpers.js';

/** A chain source whose `getBlock` and `broadcast` fail while `failing.on` is set. */
function flaky(chain: ChainSource, failing: { on: boolean }): ChainSource {
  return new Proxy(chain, {
    get(target, prop, receiver) {
      if ((prop === 'getBlock' || prop === 'broadcast') && failing.on)
        return async () => Promise.reject(new Error('backend down'));
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function next<K extends keyof WalletEvents>(wallet: Wallet, event: K): Promise<WalletEvents[K]> {
  return new Promise((resolve) => {
    const off = wallet.on(event, (value) => {
      off();
      resolve(value);
    });
  });
}

describe('wallet events', { timeout: 30_000 }, () => {
  let env: Env;
  let wallet: Wallet;
  const failing = { on: false };
  before(async () => {
    env = await makeEnv(21);
    wallet = new Wallet({
      chain: flaky(env.chain, failing),
      keys: Bip84WalletKeys.fromSeed(new Uint8Array(32).fill(3), 'regtest'),
      persistence: new MemoryWalletPersistence(),
    });
    await wallet.start();
  });
  after(async () => {
    await wallet.stop();
    await env.cleanup();
  });

  it('follows new blocks by itself (synced event) and reports background failures', async () => {
    const synced = next(wallet, 'synced');
    const [hash] = await env.chain.generate(1);
    assert.ok(hash);
    assert.equal((await synced).height, (await env.chain.getTip()).height);

    failing.on = true;
    const error = next(wallet, 'error');
    await env.chain.generate(1);
    assert.equal((await error).message, 'backend down');
    await assert.rejects(wallet.sync(), /backend down/);

    failing.on = false;
    await wallet.sync();
    assert.equal(wallet.height, (await env.chain.getTip()).height);
  });

  it('without a logger or listener, a background failure becomes a process warning', async () => {
    const quiet = new Wallet({
      chain: flaky(env.chain, failing),
      keys: Bip84WalletKeys.fromSeed(new Uint8Array(32).fill(4), 'regtest'),
      persistence: new MemoryWalletPersistence(),
    });
    await quiet.start();
    const errorOnMain = wallet.on('error', () => undefined);
    failing.on = true;
    const warning = once(process, 'warning');
    await env.chain.generate(1);
    const [w] = (await warning) as [Error];
    assert.equal(w.message, 'backend down');
    failing.on = false;
    errorOnMain();
    await quiet.stop();
  });

  it('a refused broadcast gives the coins back', async () => {
    await env.chain.generate(1, await wallet.getNewAddress());
    await env.chain.generate(100);
    await wallet.sync();
    const before = await wallet.onChainBalance();
    assert.equal(before.confirmed, 50n * 100_000_000n);
    failing.on = true;
    const silence = wallet.on('error', () => undefined);
    await assert.rejects(
      wallet.sendOnChain('bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', 10_000n, { feeRatePerKw: 1000n }),
      /backend down/,
    );
    failing.on = false;
    silence();
    assert.deepEqual(await wallet.onChainBalance(), before);
    assert.equal((await wallet.listUnspent()).length, 1);
    await wallet.sendOnChain('bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', 10_000n, {
      feeRatePerKw: 1000n,
    });
    assert.equal(env.chain.getMempool().length, 1);
  });

  it('a start that cannot rescan fails and leaves the wallet stopped', async () => {
    const late = new Wallet(
      {
        chain: flaky(env.chain, failing),
        keys: Bip84WalletKeys.fromSeed(new Uint8Array(32).fill(6), 'regtest'),
        persistence: new MemoryWalletPersistence(),
      },
      { birthday: 1 },
    );
    failing.on = true;
    await assert.rejects(late.start(), /backend down/);
    failing.on = false;
    await assert.rejects(
      late.getNewAddress(),
      (e) => e instanceof WalletError && e.code === 'WALLET_NOT_STARTED',
    );
    await late.start();
    assert.equal(late.height, (await env.chain.getTip()).height);
    await late.stop();
  });
});
