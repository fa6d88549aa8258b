import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { secp256k1 } from '@shoal/crypto';
import { payments, Transaction } from 'bitcoinjs-lib';
import { WalletError } from '../src/errors.js';
import { fundingScripts } from '../src/spender.js';
import { type Env, fund, makeEnv } from './helpers.js';

const pub = (n: number): Uint8Array => {
  const priv = new Uint8Array(32).fill(n);
  return new Uint8Array(secp256k1.publicKeyCreate(priv));
};
const SUBSIDY = 50n * 100_000_000n;
const isWalletError = (code: string) => (e: unknown) => e instanceof WalletError && e.code === code;

describe('funding transactions', { timeout: 120_000 }, () => {
  let env: Env;
  before(async () => {
    env = await makeEnv(9);
    await fund(env, 2);
  });
  after(() => env.cleanup());

  it('BOLT 3 funding output: P2WSH of 2-of-2 with keys sorted, accepted by the chain', async () => {
    const local = pub(3);
    const remote = pub(2);
    const funding = await env.wallet.createFundingTransaction({
      localFundingPubkey: local,
      remoteFundingPubkey: remote,
      amountSat: 1_000_000n,
      feeRatePerKw: 1000n,
    });
    const tx = Transaction.fromBuffer(Buffer.from(funding.raw));
    const out = tx.outs[funding.outputIndex]!;
    assert.equal(out.value, 1_000_000n);
    const [k1, k2] =
      Buffer.compare(Buffer.from(local), Buffer.from(remote)) < 0 ? [local, remote] : [remote, local];
    const expected = payments.p2wsh({ redeem: payments.p2ms({ m: 2, pubkeys: [k1, k2] }) });
    assert.deepEqual(new Uint8Array(out.script), new Uint8Array(expected.output!));
    assert.deepEqual(new Uint8Array(funding.witnessScript), new Uint8Array(expected.redeem!.output!));
    // Not broadcast by the wallet.
    assert.equal(env.chain.getMempool().length, 0);
    const txid = await env.chain.broadcast(funding.raw);
    assert.deepEqual(new Uint8Array(txid), new Uint8Array(funding.txid));
    await env.wallet.commitTransaction(funding.txid);
    const balance = await env.wallet.onChainBalance();
    assert.equal(balance.unconfirmed, tx.outs[funding.changeIndex!]!.value);
    assert.equal(balance.confirmed, SUBSIDY);
    await env.chain.generate(1);
    await env.wallet.sync();
    assert.equal((await env.wallet.listUnspent()).filter((u) => u.reserved).length, 0);
  });

  it('funding pubkeys are checked', async () => {
    await assert.rejects(
      env.wallet.createFundingTransaction({
        localFundingPubkey: new Uint8Array(33),
        remoteFundingPubkey: pub(2),
        amountSat: 100_000n,
        feeRatePerKw: 1000n,
      }),
      isWalletError('WALLET_INVALID_ARGUMENT'),
    );
    assert.throws(() => fundingScripts(pub(1), pub(2).subarray(1)), isWalletError('WALLET_INVALID_ARGUMENT'));
  });

  it('two concurrent fundings never spend the same coin; release gives coins back', async () => {
    const unspent = await env.wallet.listUnspent();
    const coins = unspent.filter((u) => u.height !== undefined && !u.reserved);
    assert.ok(coins.length >= 2, 'needs two confirmed coins');
    const request = (n: number) => ({
      localFundingPubkey: pub(n),
      remoteFundingPubkey: pub(n + 1),
      amountSat: coins[0]!.value < coins[1]!.value ? coins[0]!.value / 2n : coins[1]!.value / 2n,
      feeRatePerKw: 2000n,
    });
    const [a, b] = await Promise.all([
      env.wallet.createFundingTransaction(request(4)),
      env.wallet.createFundingTransaction(request(6)),
    ]);
    const inputs = (raw: Uint8Array) =>
      Transaction.fromBuffer(Buffer.from(raw)).ins.map(
        (i) => `${Buffer.from(i.hash).toString('hex')}:${i.index}`,
      );
    const shared = inputs(a.raw).filter((x) => inputs(b.raw).includes(x));
    assert.deepEqual(shared, []);
    assert.equal((await env.wallet.listUnspent()).filter((u) => u.reserved).length, 2);
    // Every coin is reserved now: a third funding cannot be made.
    await assert.rejects(
      env.wallet.createFundingTransaction(request(8)),
      isWalletError('WALLET_INSUFFICIENT_FUNDS'),
    );
    // Both are valid on the chain (disjoint inputs).
    await env.chain.broadcast(a.raw);
    await env.chain.broadcast(b.raw);
    await env.wallet.releaseTransaction(b.txid);
    await assert.rejects(env.wallet.releaseTransaction(b.txid), isWalletError('WALLET_UNKNOWN_TRANSACTION'));
    await env.chain.generate(1);
    await env.wallet.sync();
    // A block spending reserved coins ends the reservation; their change is the wallet's.
    assert.equal((await env.wallet.listUnspent()).filter((u) => u.reserved).length, 0);
    const ta = Transaction.fromBuffer(Buffer.from(a.raw));
    const tb = Transaction.fromBuffer(Buffer.from(b.raw));
    const expected = ta.outs[a.changeIndex!]!.value + tb.outs[b.changeIndex!]!.value;
    assert.equal((await env.wallet.onChainBalance()).confirmed, expected);
  });
});
