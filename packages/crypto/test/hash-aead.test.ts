import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CryptoError,
  chachaNonce,
  decryptWithAD,
  encryptWithAD,
  encryptWithADInto,
  hash256,
  hkdf,
  hmacSha256,
  sha256,
} from '../src/index.js';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('hashes', { timeout: 10_000 }, () => {
  it('sha256 and hash256 of "abc" (FIPS 180-2 example)', () => {
    const abc = Buffer.from('abc');
    assert.equal(
      sha256(abc).toString('hex'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    assert.deepEqual(hash256(abc), sha256(sha256(abc)));
  });

  it('hmacSha256: RFC 4231 test case 2', () => {
    const mac = hmacSha256(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'));
    assert.equal(mac.toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('hkdf: RFC 5869 test case 3 (empty salt and info)', () => {
    const [a, b] = hkdf(Buffer.alloc(0), Buffer.alloc(22, 0x0b));
    const okm = Buffer.concat([a, b]).subarray(0, 42);
    assert.equal(
      okm.toString('hex'),
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });

  it('hkdf: BOLT 8 Appendix A act one values', () => {
    const [ck, k] = hkdf(
      hex('2640f52eebcd9e882958951c794250eedb28002c05d7dc2ea0f195406042caf1'),
      hex('1e2fb3c8fe8fb9f262f649f64d26ecf0f2c0a805a767cf02dc2d77a6ef1fdcc3'),
    );
    assert.equal(ck.toString('hex'), 'b61ec1191326fa240decc9564369dbb3ae2b34341d1e11ad64ed89f89180582f');
    assert.equal(k.toString('hex'), 'e68f69b7f096d7917245f5e5cf8ae1595febe4d4644333c99f9c4a1282031c9f');
  });

  it('hkdf agrees with node:crypto hkdfSync on random inputs', () => {
    for (let i = 0; i < 50; i++) {
      const salt = randomBytes(32);
      const ikm = randomBytes(i);
      const expected = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.alloc(0), 64));
      assert.deepEqual(Buffer.concat(hkdf(salt, ikm)), expected);
    }
  });
});

describe('ChaCha20-Poly1305 (BOLT 8 encryptWithAD)', { timeout: 10_000 }, () => {
  it('nonce is 4 zero bytes then the little-endian counter', () => {
    assert.equal(chachaNonce(1).toString('hex'), '000000000100000000000000');
    assert.equal(chachaNonce(0x1_0000_0002).toString('hex'), '000000000200000001000000');
    assert.equal(chachaNonce(2n ** 64n - 1n).toString('hex'), '00000000ffffffffffffffff');
  });

  it('matches BOLT 8 Appendix A act one MAC and act three ciphertext', () => {
    const c1 = encryptWithAD(
      hex('e68f69b7f096d7917245f5e5cf8ae1595febe4d4644333c99f9c4a1282031c9f'),
      0,
      hex('9e0e7de8bb75554f21db034633de04be41a2b8a18da7a319a03c803bf02b396c'),
      Buffer.alloc(0),
    );
    assert.equal(c1.toString('hex'), '0df6086551151f58b8afe6c195782c6a');
    const k2 = hex('908b166535c01a935cf1e130a5fe895ab4e6f3ef8855d87e9b7581c4ab663ddc');
    const h = hex('90578e247e98674e661013da3c5c1ca6a8c8f48c90b485c0dfa1494e23d56d72');
    const pt = hex('034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa');
    const c3 = encryptWithAD(k2, 1, h, pt);
    assert.equal(
      c3.toString('hex'),
      'b9e3a702e93e3a9948c2ed6e5fd7590a6e1c3a0344cfc9d5b57357049aa22355361aa02e55a8fc28fef5bd6d71ad0c3822',
    );
    assert.deepEqual(decryptWithAD(k2, 1, h, c3), pt);
    const out = Buffer.alloc(60);
    assert.equal(encryptWithADInto(k2, 1, h, pt, out, 5), 49);
    assert.deepEqual(out.subarray(5, 54), c3);
  });

  it('matches the BOLT 8 transport length vector (AD empty)', () => {
    const sk = hex('969ab31b4d288cedf6218839b27a3e2140827047f2c0f01bf5c04435d43511a9');
    const c = encryptWithAD(sk, 0, Buffer.alloc(0), hex('0005'));
    assert.equal(c.toString('hex'), 'cf2b30ddf0cf3f80e7c35a6e6730b59fe802');
  });

  it('a flipped bit anywhere, a wrong nonce or a wrong AD is CRYPTO_BAD_MAC', () => {
    const key = randomBytes(32);
    const ad = randomBytes(32);
    const c = encryptWithAD(key, 7, ad, Buffer.from('hello world'));
    for (let i = 0; i < c.length * 8; i++) {
      const bad = Buffer.from(c);
      bad[i >> 3]! ^= 1 << (i & 7);
      assert.throws(
        () => decryptWithAD(key, 7, ad, bad),
        (e: unknown) => e instanceof CryptoError && e.code === 'CRYPTO_BAD_MAC',
      );
    }
    assert.throws(() => decryptWithAD(key, 8, ad, c), { code: 'CRYPTO_BAD_MAC' });
    assert.throws(() => decryptWithAD(key, 7, randomBytes(32), c), { code: 'CRYPTO_BAD_MAC' });
    assert.throws(() => decryptWithAD(key, 7, ad, c.subarray(0, 15)), { code: 'CRYPTO_BAD_LENGTH' });
    assert.throws(() => encryptWithAD(key.subarray(1), 0, ad, c), { code: 'CRYPTO_BAD_LENGTH' });
  });

  it('the WebAssembly (small) and OpenSSL (large) paths agree with node:crypto at every size', () => {
    for (const size of [0, 1, 2, 15, 16, 17, 63, 64, 65, 383, 384, 385, 512, 1024, 4096, 65535]) {
      const key = randomBytes(32);
      const ad = randomBytes(size % 3 === 0 ? 32 : size % 3 === 1 ? 0 : 33);
      const pt = randomBytes(size);
      const cipher = createCipheriv('chacha20-poly1305', key, chachaNonce(999), { authTagLength: 16 });
      if (ad.length > 0) cipher.setAAD(ad, { plaintextLength: size });
      const expected = Buffer.concat([cipher.update(pt), cipher.final(), cipher.getAuthTag()]);
      const c = encryptWithAD(key, 999, ad, pt);
      assert.deepEqual(c, expected, `size ${size}`);
      assert.deepEqual(decryptWithAD(key, 999, ad, c), pt);
      c[size >> 1]! ^= 0x40;
      assert.throws(() => decryptWithAD(key, 999, ad, c), { code: 'CRYPTO_BAD_MAC' });
    }
  });

  it('random keys, nonces, AD of every length 0-32 and payloads around the switch match node:crypto', () => {
    // The WebAssembly path pads AD itself: exercise every AD length it accepts, not just 0 and 32.
    for (let i = 0; i < 3000; i++) {
      const key = randomBytes(32);
      const nonce = randomBytes(6).readUIntLE(0, 6);
      const ad = randomBytes(i % 34);
      const pt = randomBytes(i < 1000 ? i % 420 : (i * 7919) % 1500);
      const cipher = createCipheriv('chacha20-poly1305', key, chachaNonce(nonce), { authTagLength: 16 });
      cipher.setAAD(ad, { plaintextLength: pt.length });
      const expected = Buffer.concat([cipher.update(pt), cipher.final(), cipher.getAuthTag()]);
      const c = encryptWithAD(key, nonce, ad, pt);
      assert.deepEqual(c, expected, `ad ${ad.length}, plaintext ${pt.length}`);
      assert.deepEqual(decryptWithAD(key, nonce, ad, expected), pt);
      const bad = Buffer.from(expected);
      bad[i % bad.length]! ^= 1 << (i % 8);
      assert.throws(() => decryptWithAD(key, nonce, ad, bad), { code: 'CRYPTO_BAD_MAC' });
    }
  });

  it('encryptWithADInto refuses an output buffer too small on both paths, writing nothing', () => {
    const key = randomBytes(32);
    for (const size of [10, 1000]) {
      const pt = randomBytes(size);
      const out = Buffer.alloc(size + 16 + 3, 0xaa);
      assert.throws(() => encryptWithADInto(key, 0, Buffer.alloc(0), pt, out, 4), {
        code: 'CRYPTO_BAD_LENGTH',
      });
      assert.deepEqual(out, Buffer.alloc(size + 16 + 3, 0xaa));
      assert.equal(encryptWithADInto(key, 0, Buffer.alloc(0), pt, out, 3), size + 16);
      assert.deepEqual(out.subarray(3), encryptWithAD(key, 0, Buffer.alloc(0), pt));
    }
  });

  it('errors serialise to JSON and back', () => {
    const e = new CryptoError('CRYPTO_BAD_MAC', 'x', { a: 1 });
    const back = CryptoError.fromJSON(JSON.parse(JSON.stringify(e)));
    assert.equal(back.code, 'CRYPTO_BAD_MAC');
    assert.deepEqual(back.meta, { a: 1 });
    assert.equal(back.name, 'CryptoError');
  });
});
