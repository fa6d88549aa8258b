import { scriptError } from '../errors.js';

/**
 * Decodes a CScriptNum (little-endian, sign bit in the top byte), requiring minimal encoding
 * (the MINIMALDATA rule). `maxSize` is 4 for arithmetic, 5 for CLTV/CSV operands (BIP65/BIP112).
 */
export function decodeScriptNum(bytes: Uint8Array, maxSize = 4): number {
  if (bytes.length > maxSize) throw scriptError('UNKNOWN_NUMBER', `number longer than ${maxSize} bytes`);
  if (bytes.length === 0) return 0;
  const last = bytes[bytes.length - 1]!;
  if ((last & 0x7f) === 0 && (bytes.length <= 1 || (bytes[bytes.length - 2]! & 0x80) === 0)) {
    throw scriptError('UNKNOWN_NUMBER', 'non-minimally encoded number');
  }
  let result = 0;
  for (let i = 0; i < bytes.length; i++) result += bytes[i]! * 2 ** (8 * i);
  if (last & 0x80) return -(result - 0x80 * 2 ** (8 * (bytes.length - 1)));
  return result;
}

/** Encodes `n` as a minimal CScriptNum. */
export function encodeScriptNum(n: number): Uint8Array {
  if (n === 0) return new Uint8Array(0);
  const out: number[] = [];
  const negative = n < 0;
  let abs = Math.abs(n);
  while (abs > 0) {
    out.push(abs % 256);
    abs = Math.floor(abs / 256);
  }
  if (out[out.length - 1]! & 0x80) out.push(negative ? 0x80 : 0);
  else if (negative) out[out.length - 1]! |= 0x80;
  return Uint8Array.from(out);
}

/** Script truthiness: any non-zero byte, except a lone sign bit at the end ("negative zero"). */
export function castToBool(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) return !(i === bytes.length - 1 && bytes[i] === 0x80);
  }
  return false;
}
