import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** BOLT 1 Appendix A: the encoded size (1, 3, 5 or 9 bytes) of `value`. */
export function bigsizeLength(value: bigint): number {
  if (value < 0xfdn) return 1;
  if (value < 0x10000n) return 3;
  if (value < 0x100000000n) return 5;
  return 9;
}

/** BOLT 1 Appendix A: minimal BigSize encoding of `value` (0 to 2^64-1). */
export function encodeBigSize(value: bigint): Uint8Array {
  return new Writer(9).bigsize(value).finish();
}

/**
 * BOLT 1 Appendix A: decodes one BigSize at the start of `bytes`, returning the value and the
 * number of bytes it used. Truncated input raises `WIRE_TRUNCATED`, non-canonical `WIRE_BAD_BIGSIZE`.
 */
export function decodeBigSize(bytes: Uint8Array): { value: bigint; length: number } {
  const r = new Reader(bytes);
  const value = r.bigsize();
  return { value, length: r.offset };
}
