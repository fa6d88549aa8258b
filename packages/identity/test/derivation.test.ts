import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { HDKey } from '@scure/bip32';
import {
  coinType,
  deriveNodeKey,
  IdentityError,
  KeyRing,
  nodeKeyPath,
  parseKeyPath,
  walletKeyPath,
} from '../src/index.js';

interface Vectors {
  bip32Vector1: { seed: string; chains: { path: string; xpub: string; xprv: string }[] };
  bip84: { mnemonic: string; keys: { change: 0 | 1; index: number; pubkey: string }[] };
  eclairNodeId: { seed: string; chain: 'testnet'; nodeId: string };
}
const V = JSON.parse(
  readFileSync(new URL('../../test/vectors/bip32-bip84.json', import.meta.url), 'utf8'),
) as Vectors;
const T = { timeout: 10_000 };

describe('BIP32 derivation through KeyRing', () => {
  it('matches BIP32 test vector 1 (xpub, private key, chain code) at every chain', T, () => {
    const ring = KeyRing.fromSeed(Buffer.from(V.bip32Vector1.seed, 'hex'), 'mainnet');
    for (const chain of V.bip32Vector1.chains) {
      const key = ring.deriveKey(chain.path);
      const expected = HDKey.fromExtendedKey(chain.xprv);
      assert.equal(key.extendedPublicKey, chain.xpub, chain.path);
      assert.deepEqual(key.privateKey, Buffer.from(expected.privateKey!), chain.path);
      assert.deepEqual(key.chainCode, Buffer.from(expected.chainCode!), chain.path);
      assert.deepEqual(key.publicKey, Buffer.from(expected.publicKey!), chain.path);
    }
  });

  it("accepts ', h and H as hardened markers", T, () => {
    const ring = KeyRing.fromSeed(Buffer.from(V.bip32Vector1.seed, 'hex'), 'mainnet');
    const a = ring.deriveKey("m/0'/1/2'").publicKey;
    assert.deepEqual(ring.deriveKey('m/0h/1/2H').publicKey, a);
    assert.deepEqual(parseKeyPath("m/0'/1"), [0x80000000, 1]);
    assert.deepEqual(parseKeyPath('m'), []);
  });

  it('rejects malformed paths with IDENTITY_BAD_PATH', T, () => {
    for (const bad of ['', '0/1', 'm/', 'm//1', 'm/-1', 'm/01', 'm/2147483648', "m/1''", 'm/1x', 'M/1']) {
      assert.throws(
        () => parseKeyPath(bad),
        (e: unknown) => e instanceof IdentityError && e.code === 'IDENTITY_BAD_PATH',
        bad,
      );
    }
  });

  it('derives BIP84 P2WPKH keys (BIP84 test vectors, mainnet coin type 0)', T, () => {
    // BIP39 seed of the mnemonic with an empty passphrase (PBKDF2-HMAC-SHA512, 2048 rounds).
    const seed = pbkdf2Sync(V.bip84.mnemonic, 'mnemonic', 2048, 64, 'sha512');
    const ring = KeyRing.fromSeed(seed, 'mainnet');
    for (const k of V.bip84.keys) {
      const key = ring.deriveWalletKey(0, k.change, k.index);
      assert.equal(key.publicKey.toString('hex'), k.pubkey);
      assert.equal(key.path, `m/84'/0'/0'/${k.change}/${k.index}`);
    }
  });

  it('uses coin type 1 on test networks and validates wallet indexes', T, () => {
    assert.equal(coinType('mainnet'), 0);
    for (const c of ['testnet', 'testnet4', 'signet', 'regtest'] as const) assert.equal(coinType(c), 1);
    assert.equal(walletKeyPath('regtest', 2, 1, 7), "m/84'/1'/2'/1/7");
    for (const [a, c, i] of [
      [-1, 0, 0],
      [0, 2, 0],
      [0, 0, 2 ** 31],
      [1.5, 0, 0],
    ] as const) {
      assert.throws(
        () => walletKeyPath('mainnet', a, c as 0, i),
        (e: unknown) => e instanceof IdentityError && e.code === 'IDENTITY_BAD_PATH',
      );
    }
  });
});

describe('node key derivation', () => {
  it("uses Eclair's paths: m/47'/0' on mainnet, m/46'/0' elsewhere", T, () => {
    assert.equal(nodeKeyPath('mainnet'), "m/47'/0'");
    for (const c of ['testnet', 'testnet4', 'signet', 'regtest'] as const)
      assert.equal(nodeKeyPath(c), "m/46'/0'");
  });

  it("gives Eclair's node id for Eclair's test seed (LocalNodeKeyManagerSpec)", T, () => {
    const key = deriveNodeKey(Buffer.from(V.eclairNodeId.seed, 'hex'), V.eclairNodeId.chain);
    assert.equal(key.nodeId, V.eclairNodeId.nodeId);
  });

  it('regression: fixed seed -> fixed node ids (changing these changes every node id)', T, () => {
    const seed = Buffer.alloc(32, 1);
    assert.equal(
      deriveNodeKey(seed, 'mainnet').nodeId,
      '02784aaa1d2bd55ed2c480fb1b2536798d8002eb90e0468c08f2e5d83f1ab8033e',
    );
    assert.equal(
      deriveNodeKey(seed, 'regtest').nodeId,
      '03af0ed6052cf28d670665549bc86f4b721c9fdb309d40c58f5811f63966e005d0',
    );
    assert.equal(deriveNodeKey(seed, 'signet').nodeId, deriveNodeKey(seed, 'regtest').nodeId);
  });

  it('node key and its ring never show private material in JSON, inspect or strings', T, () => {
    const ring = KeyRing.fromSeed(Buffer.alloc(32, 9), 'regtest');
    const node = ring.nodeKey();
    const wallet = ring.deriveWalletKey(0, 0, 0);
    const secrets = [
      node.privateKey.toString('hex'),
      wallet.privateKey.toString('hex'),
      wallet.chainCode.toString('hex'),
    ];
    const shown = [
      JSON.stringify({ ring, node, wallet }),
      inspect({ ring, node, wallet }, { depth: 5, showHidden: true }),
      `${ring} ${node} ${wallet}`,
    ].join('\n');
    for (const s of secrets) assert.ok(!shown.includes(s));
    assert.ok(shown.includes(node.nodeId));
    assert.ok(!/xprv|tprv/.test(shown));
  });

  it('rejects seeds outside 16..64 bytes and unknown chains', T, () => {
    assert.throws(() => KeyRing.fromSeed(Buffer.alloc(15), 'mainnet'), /16 to 64 bytes/);
    assert.throws(() => KeyRing.fromSeed(Buffer.alloc(65), 'mainnet'), /16 to 64 bytes/);
    assert.throws(() => KeyRing.fromSeed(Buffer.alloc(32), 'bitcoin' as 'mainnet'), /unknown chain/);
  });
});
