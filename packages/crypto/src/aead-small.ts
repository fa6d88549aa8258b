import { ChaCha20Poly1305, newInstance } from '@chainsafe/as-chacha20poly1305';

/**
 * Largest plaintext sent through the WebAssembly ChaCha20-Poly1305. Below ~500 bytes it beats
 * `node:crypto`, whose per-call cost is creating an OpenSSL cipher context (~10 µs here); above,
 * OpenSSL's vectorised cipher wins. BOLT 8's 2-byte length prefix is the main beneficiary.
 */
export const SMALL_AEAD_LIMIT = 384;
/** The WebAssembly implementation accepts associated data of at most 32 bytes (BOLT 8's `h`). */
export const SMALL_AEAD_MAX_AD = 32;

let impl: ChaCha20Poly1305 | undefined;
let loadFailed = false;

/** The WebAssembly instance, created once; `undefined` if WebAssembly is unavailable. */
export function smallAead(): ChaCha20Poly1305 | undefined {
  if (impl || loadFailed) return impl;
  try {
    impl = new ChaCha20Poly1305(newInstance());
  } catch (err) {
    loadFailed = true;
    process.emitWarning(`WebAssembly ChaCha20-Poly1305 unavailable, using node:crypto only: ${String(err)}`, {
      code: 'SHOAL_AEAD_FALLBACK',
    });
  }
  return impl;
}
