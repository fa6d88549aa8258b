import { randomBytes } from 'node:crypto';
import { loadNativeSecp256k1 } from './secp256k1-native.js';
import { nobleSecp256k1 } from './secp256k1-noble.js';
import type { Secp256k1, Secp256k1Backend } from './secp256k1-types.js';

/** Something that can be told, once, that the fast path is unavailable. */
export interface CryptoLogger {
  warn(message: string, meta?: Record<string, string>): void;
}

const nativeLoad = loadNativeSecp256k1();

/** libsecp256k1 through the native addon, or `undefined` when the addon cannot load here. */
export const nativeSecp256k1: Secp256k1 | undefined = nativeLoad.ok ? nativeLoad.impl : undefined;

export { nobleSecp256k1 };

/** Options for {@link selectSecp256k1}. */
export interface SelectSecp256k1Options {
  /** Force one backend; `native` falls back to noble (with a warning) when it cannot load. */
  prefer?: Secp256k1Backend;
  /** Receives the one fallback warning; defaults to `process.emitWarning`. */
  logger?: CryptoLogger;
}

/** Picks native when it loads, noble otherwise, warning once through `logger` on fallback. */
export function selectSecp256k1(options: SelectSecp256k1Options = {}): Secp256k1 {
  if (options.prefer === 'noble') return nobleSecp256k1;
  if (nativeSecp256k1) return nativeSecp256k1;
  const reason = nativeLoad.ok ? 'unknown' : nativeLoad.error.message;
  const message = 'native secp256k1 addon unavailable; using @noble/secp256k1 (about 50x slower ECDH/verify)';
  if (options.logger) options.logger.warn(message, { reason });
  else process.emitWarning(`${message}: ${reason}`, { code: 'SHOAL_SECP256K1_FALLBACK' });
  return nobleSecp256k1;
}

/** The default implementation (native when available; `SHOAL_SECP256K1=noble` forces noble). */
export const secp256k1: Secp256k1 = selectSecp256k1(
  process.env.SHOAL_SECP256K1 === 'noble' ? { prefer: 'noble' } : {},
);

/** Which backend {@link secp256k1} uses. */
export function secp256k1Backend(): Secp256k1Backend {
  return secp256k1.backend;
}

/** A uniformly random valid private key. */
export function randomPrivateKey(): Buffer {
  for (;;) {
    const key = randomBytes(32);
    if (secp256k1.isPrivateKey(key)) return key;
  }
}
