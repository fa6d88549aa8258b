import { ripemd160 as nobleRipemd160 } from '@noble/hashes/legacy.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@shoal/crypto';

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
 * ECDSA verify of a 64-byte compact signature over a 32-byte digest, low-S only, through
 * `@shoal/crypto` (native libsecp256k1 when available). A key that does not parse is Script's
 * "does not verify", not an error.
 */
export function verifyDigest(signature64: Uint8Array, digest32: Uint8Array, publicKey: Uint8Array): boolean {
  if (!secp256k1.isPublicKey(publicKey)) return false;
  return secp256k1.verify(signature64, digest32, publicKey);
}
