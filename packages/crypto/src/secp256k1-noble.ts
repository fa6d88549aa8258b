import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import * as noble from '@noble/secp256k1';
import { CryptoError } from './errors.js';
import { sha256 } from './hash.js';
import type { Secp256k1 } from './secp256k1-types.js';

// noble v3's synchronous sign needs these set, or it throws at the first call.
noble.hashes.sha256 = nobleSha256;
noble.hashes.hmacSha256 = (key, msg) => hmac(nobleSha256, key, msg);

function buf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function len(what: string, bytes: Uint8Array, n: number): void {
  if (bytes.length !== n)
    throw new CryptoError('CRYPTO_BAD_LENGTH', `${what} must be ${n} bytes`, { length: bytes.length });
}

function checkPriv(priv: Uint8Array): void {
  if (!(priv.length === 32 && noble.utils.isValidSecretKey(priv))) {
    throw new CryptoError('CRYPTO_BAD_PRIVATE_KEY', 'invalid secp256k1 private key');
  }
}

function parsePoint(pub: Uint8Array): noble.Point {
  if (pub.length !== 33 && pub.length !== 65) {
    throw new CryptoError('CRYPTO_BAD_PUBLIC_KEY', 'public key must be 33 or 65 bytes', {
      length: pub.length,
    });
  }
  try {
    return noble.Point.fromBytes(pub);
  } catch (cause) {
    throw new CryptoError('CRYPTO_BAD_PUBLIC_KEY', 'invalid secp256k1 public key', {}, { cause });
  }
}

/** Pure-JS secp256k1 (@noble/secp256k1 v3): the portable fallback. */
export const nobleSecp256k1: Secp256k1 = {
  backend: 'noble',
  isPrivateKey: (priv) => priv.length === 32 && noble.utils.isValidSecretKey(priv),
  publicKeyCreate(priv) {
    checkPriv(priv);
    return buf(noble.getPublicKey(priv, true));
  },
  isPublicKey(pub) {
    try {
      parsePoint(pub);
      return true;
    } catch {
      return false;
    }
  },
  publicKeyParse: (pub) => buf(parsePoint(pub).toBytes(true)),
  ecdh(pub, priv) {
    checkPriv(priv);
    const point = parsePoint(pub);
    return sha256(noble.getSharedSecret(priv, point.toBytes(true), true));
  },
  sign(digest, priv) {
    len('digest', digest, 32);
    checkPriv(priv);
    return buf(noble.sign(digest, priv, { prehash: false, lowS: true, format: 'compact' }));
  },
  verify(signature, digest, pub) {
    len('signature', signature, 64);
    len('digest', digest, 32);
    const point = parsePoint(pub);
    return noble.verify(signature, digest, point.toBytes(true), {
      prehash: false,
      lowS: true,
      format: 'compact',
    });
  },
};
