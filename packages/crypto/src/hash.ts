import * as nodeCrypto from 'node:crypto';

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer;
/** `crypto.hash` (Node >= 20.12) skips the Hash object: about twice as fast for short inputs. */
const oneShot = (nodeCrypto as { hash?: OneShotHash }).hash;

/** SHA-256 (FIPS 180-4). */
export function sha256(data: Uint8Array): Buffer {
  return oneShot ? oneShot('sha256', data, 'buffer') : nodeCrypto.createHash('sha256').update(data).digest();
}

/** Double SHA-256, the digest Bitcoin and Lightning sign (BOLT 7 `signature` fields). */
export function hash256(data: Uint8Array): Buffer {
  return sha256(sha256(data));
}

const BLOCK = 64;

/**
 * HMAC-SHA256 (RFC 2104). Built from two one-shot SHA-256 calls when `crypto.hash` exists, which
 * is faster than `createHmac` for the short inputs of the BOLT 8 handshake.
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  if (!oneShot) return nodeCrypto.createHmac('sha256', key).update(data).digest();
  const k = key.length > BLOCK ? sha256(key) : key;
  const inner = Buffer.allocUnsafe(BLOCK + data.length);
  const outer = Buffer.allocUnsafe(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    const b = i < k.length ? (k[i] as number) : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  inner.set(data, BLOCK);
  outer.set(sha256(inner), BLOCK);
  return sha256(outer);
}

const ONE = Buffer.from([1]);

/**
 * BOLT 8 "HKDF(salt, ikm)": RFC 5869 HKDF-SHA256 with a zero-length `info`, returning the two
 * 32-byte halves of its 64-byte output (BOLT 8, Handshake State: `HKDF`).
 */
export function hkdf(salt: Uint8Array, ikm: Uint8Array): [Buffer, Buffer] {
  // RFC 5869 2.2 extract: PRK = HMAC(salt, IKM)
  const prk = hmacSha256(salt, ikm);
  // RFC 5869 2.3 expand with empty info: T1 = HMAC(PRK, 0x01), T2 = HMAC(PRK, T1 || 0x02)
  const t1 = hmacSha256(prk, ONE);
  const t1two = Buffer.allocUnsafe(33);
  t1.copy(t1two, 0);
  t1two[32] = 2;
  return [t1, hmacSha256(prk, t1two)];
}
