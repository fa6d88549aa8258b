import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyRing } from '@shoal/identity';
import { p2wpkhAddress } from '../src/address.js';
import { WalletError } from '../src/errors.js';
import { Bip84WalletKeys } from '../src/keys.js';

// BIP84 "Test vectors": mnemonic "abandon abandon ... about" (no passphrase); this is its BIP39 seed.
const BIP84_SEED = Buffer.from(
  '5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4',
  'hex',
);

describe('Bip84WalletKeys', { timeout: 10_000 }, () => {
  it('derives the BIP84 test vector addresses (m/84h/0h/0h)', () => {
    const keys = Bip84WalletKeys.fromSeed(BIP84_SEED, 'mainnet');
    assert.equal(keys.accountPath, "m/84'/0'/0'");
    const addr = (change: 0 | 1, index: number) =>
      p2wpkhAddress(keys.derive(change, index).publicKey, 'mainnet');
    assert.equal(addr(0, 0), 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu');
    assert.equal(addr(0, 1), 'bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g');
    assert.equal(addr(1, 0), 'bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el');
  });

  it('uses coin type 1 on test networks and regtest addresses there', () => {
    const keys = Bip84WalletKeys.fromSeed(BIP84_SEED, 'regtest');
    assert.equal(keys.accountPath, "m/84'/1'/0'");
    assert.match(p2wpkhAddress(keys.derive(0, 0).publicKey, 'regtest'), /^bcrt1q/);
  });

  it("derives exactly identity's KeyRing.deriveWalletKey (one derivation scheme)", () => {
    const seed = new Uint8Array(32).fill(5);
    const ring = KeyRing.fromSeed(seed, 'regtest');
    const keys = Bip84WalletKeys.fromKeyRing(ring, 1);
    assert.equal(keys.accountPath, "m/84'/1'/1'");
    for (const [change, index] of [
      [0, 0],
      [0, 7],
      [1, 3],
    ] as const) {
      const theirs = ring.deriveWalletKey(1, change, index);
      const ours = keys.derive(change, index);
      assert.deepEqual(Buffer.from(ours.privateKey), theirs.privateKey);
      assert.deepEqual(Buffer.from(ours.publicKey), theirs.publicKey);
    }
  });

  it('rejects bad seeds and indexes with typed errors', () => {
    assert.throws(
      () => Bip84WalletKeys.fromSeed(new Uint8Array(8), 'regtest'),
      (e) => e instanceof WalletError && e.code === 'WALLET_INVALID_ARGUMENT',
    );
    const keys = Bip84WalletKeys.fromSeed(BIP84_SEED, 'regtest');
    assert.throws(
      () => keys.derive(0, -1),
      (e) => e instanceof WalletError && e.code === 'WALLET_INVALID_ARGUMENT',
    );
    assert.throws(
      () => keys.derive(0, 0x80000000),
      (e) => e instanceof WalletError && e.code === 'WALLET_INVALID_ARGUMENT',
    );
  });

  it('errors cross a process boundary as JSON', () => {
    const error = new WalletError('WALLET_DUST', 'too small', { amountSat: '1' });
    const back = WalletError.fromJSON(JSON.parse(JSON.stringify(error)));
    assert.equal(back.code, 'WALLET_DUST');
    assert.deepEqual(back.meta, { amountSat: '1' });
    assert.equal(back.name, 'WalletError');
  });
});
