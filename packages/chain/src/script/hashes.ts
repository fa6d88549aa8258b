import { ripemd160 as nobleRipemd160 } from '@noble/hashes/legacy.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import * as secp from '@noble/secp256k1';

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export function ripemd160(data: Uint8Array): Uint8Array {
  return nobleRipemd160(data);
}

export function hash160(data: Uint8Array): Uint8Array {
  return nobleRipemd160(nobleSha256(data));
}

export function hash256(data: Uint8Array): Uint8Array {
  return nobleSha256(nobleSha256(data));
}

/**
 * ECDSA verify of a 64-byte compact signature over a 32-byte digest (no prehash), low-S only.
 * Kept behind this one function so the native fast path of `@shoal/crypto` can replace it.
 */
export function verifyDigest(signature64: Uint8Array, digest32: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return secp.verify(signature64, digest32, publicKey, { prehash: false, lowS: true });
  } catch {
    // noble throws on a malformed key or signature; Script treats both as "does not verify".
    return false;
  }
}
