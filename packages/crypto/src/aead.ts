import { createCipheriv, createDecipheriv } from 'node:crypto';
import { SMALL_AEAD_LIMIT, SMALL_AEAD_MAX_AD, smallAead } from './aead-small.js';
import { CryptoError } from './errors.js';

const TAG_LENGTH = 16;
const EMPTY = Buffer.alloc(0);

/**
 * BOLT 8 nonce: 32 zero bits followed by the 64-bit little-endian counter (BOLT 8,
 * Handshake State: `encryptWithAD`). Counters in BOLT 8 never exceed 1000, but any
 * non-negative integer or bigint below 2^64 is accepted.
 */
export function chachaNonce(counter: number | bigint): Buffer {
  const nonce = Buffer.alloc(12);
  if (typeof counter === 'bigint') nonce.writeBigUInt64LE(counter, 4);
  else {
    nonce.writeUInt32LE(counter >>> 0, 4);
    nonce.writeUInt32LE(Math.floor(counter / 0x1_0000_0000), 8);
  }
  return nonce;
}

function checkKey(key: Uint8Array): void {
  if (key.length !== 32)
    throw new CryptoError('CRYPTO_BAD_LENGTH', 'ChaCha20-Poly1305 key must be 32 bytes', {
      length: key.length,
    });
}

/**
 * ChaCha20-Poly1305 (RFC 8439) as BOLT 8's `encryptWithAD(k, n, ad, plaintext)`: returns
 * ciphertext followed by the 16-byte MAC.
 */
export function encryptWithAD(
  key: Uint8Array,
  nonce: number | bigint,
  ad: Uint8Array,
  plaintext: Uint8Array,
): Buffer {
  const out = Buffer.allocUnsafe(plaintext.length + TAG_LENGTH);
  encryptWithADInto(key, nonce, ad, plaintext, out, 0);
  return out;
}

/**
 * Writes `encryptWithAD(key, nonce, ad, plaintext)` into `out` at `offset` without intermediate
 * concatenation; returns the number of bytes written (plaintext length + 16).
 */
export function encryptWithADInto(
  key: Uint8Array,
  nonce: number | bigint,
  ad: Uint8Array,
  plaintext: Uint8Array,
  out: Buffer,
  offset: number,
): number {
  checkKey(key);
  // Buffer#copy would silently truncate the ciphertext or the MAC on the OpenSSL path.
  if (!(Number.isInteger(offset) && offset >= 0 && out.length - offset >= plaintext.length + TAG_LENGTH)) {
    throw new CryptoError('CRYPTO_BAD_LENGTH', 'output buffer too small for ciphertext and MAC', {
      length: out.length,
      offset,
      needed: plaintext.length + TAG_LENGTH,
    });
  }
  const small =
    plaintext.length <= SMALL_AEAD_LIMIT && ad.length <= SMALL_AEAD_MAX_AD ? smallAead() : undefined;
  if (small) {
    const length = plaintext.length + TAG_LENGTH;
    small.seal(key, chachaNonce(nonce), plaintext, ad, out.subarray(offset, offset + length));
    return length;
  }
  const cipher = createCipheriv('chacha20-poly1305', key, chachaNonce(nonce), { authTagLength: TAG_LENGTH });
  if (ad.length > 0) cipher.setAAD(ad, { plaintextLength: plaintext.length });
  let at = offset;
  if (plaintext.length > 0) at += cipher.update(plaintext).copy(out, at);
  cipher.final();
  at += cipher.getAuthTag().copy(out, at);
  return at - offset;
}

/**
 * BOLT 8 `decryptWithAD(k, n, ad, ciphertext)`: `ciphertext` includes the trailing 16-byte MAC.
 * A MAC mismatch throws `CryptoError('CRYPTO_BAD_MAC')`.
 */
export function decryptWithAD(
  key: Uint8Array,
  nonce: number | bigint,
  ad: Uint8Array,
  ciphertext: Uint8Array,
): Buffer {
  checkKey(key);
  if (ciphertext.length < TAG_LENGTH) {
    throw new CryptoError('CRYPTO_BAD_LENGTH', 'ciphertext shorter than its MAC', {
      length: ciphertext.length,
    });
  }
  const bodyLength = ciphertext.length - TAG_LENGTH;
  const small = bodyLength <= SMALL_AEAD_LIMIT && ad.length <= SMALL_AEAD_MAX_AD ? smallAead() : undefined;
  if (small) {
    // The library's tag comparison exits early. Harmless for BOLT 8, the only user: a MAC failure
    // ends the connection and its keys, and the one key an attacker can replay across
    // connections (act one's temp_k1, by resending the same `re`) guards a MAC anyone who knows
    // our node id can compute. A new caller that retries under one key must not use this path.
    const plain = small.open(key, chachaNonce(nonce), ciphertext, ad);
    if (plain === null) throw new CryptoError('CRYPTO_BAD_MAC', 'ChaCha20-Poly1305 MAC check failed');
    return Buffer.from(plain.buffer, plain.byteOffset, plain.length);
  }
  const decipher = createDecipheriv('chacha20-poly1305', key, chachaNonce(nonce), {
    authTagLength: TAG_LENGTH,
  });
  decipher.setAuthTag(ciphertext.subarray(bodyLength));
  if (ad.length > 0) decipher.setAAD(ad, { plaintextLength: bodyLength });
  const body = bodyLength > 0 ? decipher.update(ciphertext.subarray(0, bodyLength)) : EMPTY;
  try {
    decipher.final();
  } catch (cause) {
    throw new CryptoError('CRYPTO_BAD_MAC', 'ChaCha20-Poly1305 MAC check failed', {}, { cause });
  }
  return body;
}
