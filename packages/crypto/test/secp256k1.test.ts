import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import * as noble from '@noble/secp256k1';
import {
  hash256,
  nativeSecp256k1,
  nobleSecp256k1,
  randomPrivateKey,
  type Secp256k1,
  secp256k1,
  secp256k1Backend,
  selectSecp256k1,
  signatureFromDer,
  signatureToDer,
} from '../src/index.js';

const hex = (s: string) => Buffer.from(s, 'hex');
/** Uncompressed (04 || x || y) public key of `priv`, computed by noble. */
const noblePoint = (priv: Uint8Array): Uint8Array => noble.getPublicKey(priv, false);
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const impls: Secp256k1[] = [nobleSecp256k1];
if (nativeSecp256k1) impls.push(nativeSecp256k1);

it('the native addon loads on this machine and is the default', () => {
  assert.ok(nativeSecp256k1, 'native secp256k1 should load on linux-x64');
  assert.equal(secp256k1Backend(), process.env.SHOAL_SECP256K1 === 'noble' ? 'noble' : 'native');
  assert.equal(selectSecp256k1({ prefer: 'noble' }).backend, 'noble');
  assert.equal(secp256k1.isPrivateKey(randomPrivateKey()), true);
});

for (const impl of impls) {
  describe(`secp256k1 (${impl.backend})`, { timeout: 30_000 }, () => {
    it('public keys from BOLT 8 Appendix A', () => {
      assert.equal(
        impl.publicKeyCreate(Buffer.alloc(32, 0x11)).toString('hex'),
        '034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa',
      );
      assert.equal(
        impl.publicKeyCreate(Buffer.alloc(32, 0x21)).toString('hex'),
        '028d7500dd4c12685d1f568b4c2b5048e8534b873319f3a8daa612b469132ec7f7',
      );
    });

    it('ECDH values from BOLT 8 Appendix A (es, ee, se)', () => {
      const cases: [number, string, string][] = [
        [
          0x12,
          '028d7500dd4c12685d1f568b4c2b5048e8534b873319f3a8daa612b469132ec7f7',
          '1e2fb3c8fe8fb9f262f649f64d26ecf0f2c0a805a767cf02dc2d77a6ef1fdcc3',
        ],
        [
          0x12,
          '02466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f27',
          'c06363d6cc549bcb7913dbb9ac1c33fc1158680c89e972000ecd06b36c472e47',
        ],
        [
          0x11,
          '02466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f27',
          'b36b6d195982c5be874d6d542dc268234379e1ae4ff1709402135b7de5cf0766',
        ],
      ];
      for (const [priv, pub, ss] of cases)
        assert.equal(impl.ecdh(hex(pub), Buffer.alloc(32, priv)).toString('hex'), ss);
    });

    it('rejects bad keys with typed errors', () => {
      assert.equal(impl.isPrivateKey(Buffer.alloc(32)), false);
      assert.equal(impl.isPrivateKey(Buffer.from(N.toString(16), 'hex')), false);
      assert.equal(impl.isPrivateKey(Buffer.alloc(31, 1)), false);
      assert.throws(() => impl.publicKeyCreate(Buffer.alloc(32)), { code: 'CRYPTO_BAD_PRIVATE_KEY' });
      const badPub = hex('046360e856310ce5d294e8be33fc807077dc56ac80d95d9cd4ddbd21325eff73f7');
      assert.equal(impl.isPublicKey(badPub), false);
      assert.throws(() => impl.publicKeyParse(badPub), { code: 'CRYPTO_BAD_PUBLIC_KEY' });
      assert.throws(() => impl.ecdh(badPub, Buffer.alloc(32, 1)), { code: 'CRYPTO_BAD_PUBLIC_KEY' });
      // A compressed key whose x is not on the curve: right shape, not a point.
      const offCurve = Buffer.concat([Buffer.from([0x02]), Buffer.alloc(32, 0xff)]);
      assert.throws(() => impl.verify(Buffer.alloc(64, 1), Buffer.alloc(32, 2), offCurve), {
        code: 'CRYPTO_BAD_PUBLIC_KEY',
      });
      assert.throws(() => impl.sign(Buffer.alloc(31), Buffer.alloc(32, 1)), { code: 'CRYPTO_BAD_LENGTH' });
    });

    it('sign/verify round trip; wrong digest, key or high-S fail', () => {
      for (let i = 0; i < 20; i++) {
        const priv = randomPrivateKey();
        const pub = impl.publicKeyCreate(priv);
        const digest = hash256(randomBytes(40));
        const sig = impl.sign(digest, priv);
        assert.equal(sig.length, 64);
        assert.ok(BigInt(`0x${sig.subarray(32).toString('hex')}`) <= N / 2n, 'low S');
        assert.equal(impl.verify(sig, digest, pub), true);
        assert.equal(impl.verify(sig, hash256(digest), pub), false);
        assert.equal(impl.verify(sig, digest, impl.publicKeyCreate(randomPrivateKey())), false);
        const highS = Buffer.from(sig);
        Buffer.from(
          (N - BigInt(`0x${sig.subarray(32).toString('hex')}`)).toString(16).padStart(64, '0'),
          'hex',
        ).copy(highS, 32);
        assert.equal(impl.verify(highS, digest, pub), false, 'high-S must be rejected');
        assert.equal(impl.verify(Buffer.alloc(64, 0xff), digest, pub), false);
        assert.deepEqual(signatureFromDer(signatureToDer(sig)), sig);
      }
    });
  });
}

describe('native vs noble', {
  timeout: 30_000,
  skip: nativeSecp256k1 ? false : 'native addon unavailable',
}, () => {
  it('same keys, same ECDH, identical deterministic signatures that verify on the other', () => {
    const native = nativeSecp256k1!;
    for (let i = 0; i < 30; i++) {
      const priv = randomPrivateKey();
      const other = randomPrivateKey();
      const pub = native.publicKeyCreate(priv);
      assert.deepEqual(nobleSecp256k1.publicKeyCreate(priv), pub);
      const otherPub = nobleSecp256k1.publicKeyCreate(other);
      assert.deepEqual(native.ecdh(otherPub, priv), nobleSecp256k1.ecdh(otherPub, priv));
      const uncompressed = Buffer.concat([Buffer.from([4]), Buffer.alloc(64)]);
      assert.equal(native.isPublicKey(uncompressed), nobleSecp256k1.isPublicKey(uncompressed));
      // libsecp256k1 also parses 65-byte "hybrid" keys (prefix 06/07); noble and the interface do not.
      const full = Buffer.from(noblePoint(priv));
      const hybrid = Buffer.from(full);
      hybrid[0] = 0x06 | (full[64]! & 1);
      assert.equal(native.isPublicKey(full), true);
      assert.equal(nobleSecp256k1.isPublicKey(hybrid), false);
      assert.equal(native.isPublicKey(hybrid), false, 'hybrid key accepted by native');
      assert.throws(() => native.publicKeyParse(hybrid), { code: 'CRYPTO_BAD_PUBLIC_KEY' });
      assert.throws(() => native.ecdh(hybrid, other), { code: 'CRYPTO_BAD_PUBLIC_KEY' });
      assert.throws(() => native.verify(Buffer.alloc(64, 1), Buffer.alloc(32), hybrid), {
        code: 'CRYPTO_BAD_PUBLIC_KEY',
      });
      const digest = randomBytes(32);
      const s1 = native.sign(digest, priv);
      const s2 = nobleSecp256k1.sign(digest, priv);
      assert.deepEqual(s1, s2, 'RFC 6979 signatures agree');
      assert.equal(nobleSecp256k1.verify(s1, digest, pub), true);
      assert.equal(native.verify(s2, digest, pub), true);
    }
  });
});

describe('DER', { timeout: 10_000 }, () => {
  it('encodes minimal integers and rejects malformed input', () => {
    const compact = Buffer.concat([Buffer.alloc(31), Buffer.from([1]), Buffer.alloc(32, 0x80)]);
    const der = signatureToDer(compact);
    assert.equal(der.toString('hex'), `3026020101022100${'80'.repeat(32)}`);
    assert.deepEqual(signatureFromDer(der), compact);
    assert.throws(() => signatureFromDer(Buffer.concat([der, Buffer.from([0])])), { code: 'CRYPTO_BAD_DER' });
    const nonMinimal = hex(`30270202000102210${'0'}${'80'.repeat(32)}`);
    assert.throws(() => signatureFromDer(nonMinimal), { code: 'CRYPTO_BAD_DER' });
    assert.throws(() => signatureFromDer(hex('3006020180020101')), { code: 'CRYPTO_BAD_DER' });
  });
});
