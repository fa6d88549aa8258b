import { createHash, createHmac } from 'node:crypto';

/** SHA-256 (FIPS 180-4). */
export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Double SHA-256, the digest Bitcoin and Lightning sign (BOLT 7 `signature` fields). */
export function hash256(data: Uint8Array): Buffer {
  return sha256(sha256(data));
}

/** HMAC-SHA256 (RFC 2104). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

const ONE = Buffer.from([1]);
const TWO = Buffer.from([2]);

/**
 * BOLT 8 "HKDF(salt, ikm)": RFC 5869 HKDF-SHA256 with a zero-length `info`, returning the two
 * 32-byte halves of its 64-byte output (BOLT 8, Handshake State: `HKDF`).
 */
export function hkdf(salt: Uint8Array, ikm: Uint8Array): [Buffer, Buffer] {
  // RFC 5869 2.2 extract: PRK = HMAC(salt, IKM)
  const prk = hmacSha256(salt, ikm);
  // RFC 5869 2.3 expand with empty info: T1 = HMAC(PRK, 0x01), T2 = HMAC(PRK, T1 || 0x02)
  const t1 = hmacSha256(prk, ONE);
  const t2 = createHmac('sha256', prk).update(t1).update(TWO).digest();
  return [t1, t2];
}
