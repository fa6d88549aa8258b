import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChainSource } from '@shoal/chain';
import { Transaction } from 'bitcoinjs-lib';
import { WalletError } from '../src/errors.js';
import { Bip84WalletKeys } from '../src/keys.js';
import { MemoryWalletPersistence } from '../src/persistence.js';
import { Wallet } from '../src/wallet.js';
import { type Env, MATURITY, makeEnv, OTHER_ADDRESS } from './helpers.js';

const SUBSIDY = 50n * 100_000_000n;
const isWalletError = (code: string) => (e: unknown) => e instanceof WalletError && e.code === code;

/**
 * The regtest chain does no replacement, so the first broadcast is held back here (as if it sat in
 * a mempool the test cannot see): the replacement then reaches the real chain, which checks it.
 */
function holdingFirstBroadcast(chain: ChainSource, held: Uint8Array[]): ChainSource {
  return new Proxy(chain, {
    get(target, prop, receiver) {
      if (prop === 'broadcast')
        return async (raw: Uint8Array) => {
          if (held.length === 0) {
            held.push(raw);
            return Transaction.fromBuffer(Buffer.from(raw)).getHash();
          }
          return target.broadcast(raw);
        };
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('bumpFee (BIP125)', { timeout: 60_000 }, () => {
  let env: Env;
  let wallet: Wallet;
  const held: Uint8Array[] = [];
  before(async () => {
    env = await makeEnv(13);
    wallet = new Wallet(
      {
        chain: holdingFirstBroadcast(env.chain, held),
        keys: Bip84WalletKeys.fromSeed(new Uint8Array(32).fill(77), 'regtest'),
        persistence: new MemoryWalletPersistence(),
      },
      { coinbaseMaturity: MATURITY },
    );
    await wallet.start();
    await env.chain.generate(1, await wallet.getNewAddress());
    await env.chain.generate(MATURITY);
    await wallet.sync();
  });
  after(async () => {
    await wallet.stop();
    await env.cleanup();
  });

  it('replaces an unconfirmed send with a higher fee, same inputs and payment', async () => {
    const sent = await wallet.sendOnChain(OTHER_ADDRESS, 1_000_000n, { feeRatePerKw: 253n });
    assert.equal(held.length, 1);
    await assert.rejects(wallet.bumpFee(sent.txid, 300n), isWalletError('WALLET_FEE_TOO_LOW'));
    const bumped = await wallet.bumpFee(sent.txid, 5000n);
    const original = Transaction.fromBuffer(Buffer.from(sent.raw));
    const replacement = Transaction.fromBuffer(Buffer.from(bumped.raw));
    assert.deepEqual(
      replacement.ins.map((i) => [Buffer.from(i.hash).toString('hex'), i.index]),
      original.ins.map((i) => [Buffer.from(i.hash).toString('hex'), i.index]),
    );
    assert.ok(bumped.fee > sent.fee);
    assert.ok(bumped.fee * 1000n >= 5000n * BigInt(replacement.weight()));
    assert.ok(replacement.outs.some((o) => o.value === 1_000_000n));
    // The chain accepted it (scripts verified) and the wallet now tracks it instead of the original.
    const mempool = env.chain.getMempool().map((t) => Buffer.from(t).toString('hex'));
    assert.deepEqual(mempool, [Buffer.from(bumped.txid).toString('hex')]);
    const change = SUBSIDY - 1_000_000n - bumped.fee;
    assert.deepEqual(await wallet.onChainBalance(), { confirmed: 0n, unconfirmed: change, immature: 0n });
    await assert.rejects(wallet.bumpFee(sent.txid, 10_000n), isWalletError('WALLET_NOT_REPLACEABLE'));
    await env.chain.generate(1);
    await wallet.sync();
    assert.deepEqual(await wallet.onChainBalance(), { confirmed: change, unconfirmed: 0n, immature: 0n });
    await assert.rejects(wallet.bumpFee(bumped.txid, 10_000n), isWalletError('WALLET_NOT_REPLACEABLE'));
  });
});
