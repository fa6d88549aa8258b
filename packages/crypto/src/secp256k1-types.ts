/** Which secp256k1 implementation backs a {@link Secp256k1}. */
export type Secp256k1Backend = 'native' | 'noble';

/**
 * secp256k1 operations Lightning needs. Keys are 32-byte private scalars and 33-byte
 * compressed public keys; signatures are 64-byte compact (r || s) with low S; digests are
 * 32 bytes and never hashed again inside (callers pass `hash256(...)` for Lightning).
 */
export interface Secp256k1 {
  readonly backend: Secp256k1Backend;
  /** True when `priv` is 32 bytes and in [1, n-1]. */
  isPrivateKey(priv: Uint8Array): boolean;
  /** Compressed public key of `priv`; throws `CRYPTO_BAD_PRIVATE_KEY`. */
  publicKeyCreate(priv: Uint8Array): Buffer;
  /** True when `pub` is a valid 33-byte compressed or 65-byte uncompressed point. */
  isPublicKey(pub: Uint8Array): boolean;
  /** Validates `pub` and returns it compressed; throws `CRYPTO_BAD_PUBLIC_KEY`. */
  publicKeyParse(pub: Uint8Array): Buffer;
  /** BOLT 8 `ECDH(k, rk)`: SHA256 of the compressed shared point; throws on a bad key. */
  ecdh(pub: Uint8Array, priv: Uint8Array): Buffer;
  /** Deterministic (RFC 6979) compact low-S signature of a 32-byte digest. */
  sign(digest: Uint8Array, priv: Uint8Array): Buffer;
  /** Verifies a compact signature over a 32-byte digest; high-S signatures are rejected. */
  verify(signature: Uint8Array, digest: Uint8Array, pub: Uint8Array): boolean;
}
