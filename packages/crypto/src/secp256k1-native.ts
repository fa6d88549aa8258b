import { createRequire } from 'node:module';
import { CryptoError } from './errors.js';
import type { Secp256k1 } from './secp256k1-types.js';

/** The subset of the `secp256k1` addon's API (v5) that we use. */
interface NativeAddon {
  privateKeyVerify(priv: Uint8Array): boolean;
  publicKeyCreate(priv: Uint8Array, compressed?: boolean): Uint8Array;
  publicKeyVerify(pub: Uint8Array): boolean;
  publicKeyConvert(pub: Uint8Array, compressed?: boolean): Uint8Array;
  ecdsaSign(digest: Uint8Array, priv: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaVerify(signature: Uint8Array, digest: Uint8Array, pub: Uint8Array): boolean;
  ecdh(pub: Uint8Array, priv: Uint8Array, options?: object, output?: Uint8Array): Uint8Array;
}

function buf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function len(what: string, bytes: Uint8Array, n: number): void {
  if (bytes.length !== n)
    throw new CryptoError('CRYPTO_BAD_LENGTH', `${what} must be ${n} bytes`, { length: bytes.length });
}

/**
 * SEC1 compressed (02/03, 33 bytes) or uncompressed (04, 65 bytes) shape. libsecp256k1 also
 * parses the 65-byte "hybrid" 06/07 form, which noble (and the {@link Secp256k1} contract) reject.
 */
function sec1Shape(pub: Uint8Array): boolean {
  return pub.length === 33 ? pub[0] === 0x02 || pub[0] === 0x03 : pub.length === 65 && pub[0] === 0x04;
}

function wrap(addon: NativeAddon): Secp256k1 {
  const checkPriv = (priv: Uint8Array): void => {
    if (!(priv.length === 32 && addon.privateKeyVerify(priv))) {
      throw new CryptoError('CRYPTO_BAD_PRIVATE_KEY', 'invalid secp256k1 private key');
    }
  };
  const checkPub = (pub: Uint8Array): void => {
    if (!(sec1Shape(pub) && addon.publicKeyVerify(pub))) {
      throw new CryptoError('CRYPTO_BAD_PUBLIC_KEY', 'invalid secp256k1 public key', { length: pub.length });
    }
  };
  return {
    backend: 'native',
    isPrivateKey: (priv) => priv.length === 32 && addon.privateKeyVerify(priv),
    publicKeyCreate(priv) {
      checkPriv(priv);
      return buf(addon.publicKeyCreate(priv, true));
    },
    isPublicKey: (pub) => sec1Shape(pub) && addon.publicKeyVerify(pub),
    publicKeyParse(pub) {
      checkPub(pub);
      return buf(addon.publicKeyConvert(pub, true));
    },
    ecdh(pub, priv) {
      if (priv.length !== 32) checkPriv(priv);
      if (!sec1Shape(pub)) checkPub(pub);
      try {
        // libsecp256k1's default ECDH hash is SHA256(compressed point), exactly BOLT 8's ECDH.
        // It parses (validates) the point itself, so no separate publicKeyVerify here.
        return buf(addon.ecdh(pub, priv));
      } catch (cause) {
        if (!addon.publicKeyVerify(pub)) {
          throw new CryptoError('CRYPTO_BAD_PUBLIC_KEY', 'invalid secp256k1 public key', {}, { cause });
        }
        throw new CryptoError('CRYPTO_BAD_PRIVATE_KEY', 'invalid secp256k1 private key', {}, { cause });
      }
    },
    sign(digest, priv) {
      len('digest', digest, 32);
      checkPriv(priv);
      // libsecp256k1 always produces low-S signatures with RFC 6979 nonces.
      return buf(addon.ecdsaSign(digest, priv).signature);
    },
    verify(signature, digest, pub) {
      len('signature', signature, 64);
      len('digest', digest, 32);
      // The shape only: ecdsaVerify parses (validates) the point itself, so a separate
      // publicKeyVerify would parse every key twice (~10% of a gossip frontend's verify time).
      if (!sec1Shape(pub)) checkPub(pub);
      try {
        // libsecp256k1's verify rejects high-S signatures.
        return addon.ecdsaVerify(signature, digest, pub);
      } catch (cause) {
        if (cause instanceof Error && /public key/i.test(cause.message)) {
          throw new CryptoError(
            'CRYPTO_BAD_PUBLIC_KEY',
            'invalid secp256k1 public key',
            { length: pub.length },
            { cause },
          );
        }
        // The addon throws when r or s overflow the group order: an invalid signature, not a fault.
        if (cause instanceof Error && /signature/i.test(cause.message)) return false;
        throw cause;
      }
    },
  };
}

/** Result of trying to load the native addon. */
export type NativeLoad = { ok: true; impl: Secp256k1 } | { ok: false; error: Error };

/**
 * Loads libsecp256k1 through the `secp256k1` addon's `bindings` entry directly: its main entry
 * silently falls back to the slow `elliptic` JS library, which we never want.
 */
export function loadNativeSecp256k1(): NativeLoad {
  try {
    const require = createRequire(import.meta.url);
    const addon = require('secp256k1/bindings') as NativeAddon;
    return { ok: true, impl: wrap(addon) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
  }
}
