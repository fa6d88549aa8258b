import { ChainError } from './errors.js';

/** Lower-case hex of `bytes`, in the given order. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes of an even-length hex string; throws `CHAIN_INVALID_ARGUMENT` on anything else. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new ChainError('CHAIN_INVALID_ARGUMENT', 'invalid hex string', { length: hex.length });
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * Display hex (RPC order) of a 32-byte hash held in internal byte order. Bitcoin shows txids and
 * block hashes byte-reversed; Lightning (`funding_txid`, `chain_hash`) uses the internal order.
 */
export function hashToDisplay(hash: Uint8Array): string {
  return toHex(Uint8Array.from(hash).reverse());
}

/** Internal-order bytes of a hash given in display (RPC) hex. */
export function hashFromDisplay(hex: string): Uint8Array {
  const bytes = fromHex(hex);
  if (bytes.length !== 32) throw new ChainError('CHAIN_INVALID_ARGUMENT', 'a hash is 32 bytes', { hex });
  return bytes.reverse();
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Map key of an outpoint (txid in internal order). */
export function outpointKey(txid: Uint8Array, vout: number): string {
  return `${toHex(txid)}:${vout}`;
}
