import { CryptoError } from './errors.js';

function encodeInt(x: Uint8Array): Buffer {
  let start = 0;
  while (start < x.length - 1 && x[start] === 0) start++;
  const trimmed = x.subarray(start);
  // A leading 1 bit would read as negative: DER prepends a zero byte.
  const pad = (trimmed[0] ?? 0) & 0x80 ? 1 : 0;
  const out = Buffer.alloc(2 + pad + trimmed.length);
  out[0] = 0x02;
  out[1] = pad + trimmed.length;
  Buffer.from(trimmed).copy(out, 2 + pad);
  return out;
}

/** Encodes a 64-byte compact (r || s) signature as strict DER (BIP 66), without sighash byte. */
export function signatureToDer(compact: Uint8Array): Buffer {
  if (compact.length !== 64)
    throw new CryptoError('CRYPTO_BAD_LENGTH', 'compact signature must be 64 bytes', {
      length: compact.length,
    });
  const r = encodeInt(compact.subarray(0, 32));
  const s = encodeInt(compact.subarray(32));
  return Buffer.concat([Buffer.from([0x30, r.length + s.length]), r, s]);
}

function bad(reason: string): CryptoError {
  return new CryptoError('CRYPTO_BAD_DER', `invalid DER signature: ${reason}`);
}

function decodeInt(der: Uint8Array, at: number): { value: Uint8Array; next: number } {
  if (der[at] !== 0x02) throw bad('expected INTEGER');
  const length = der[at + 1] ?? 0;
  const start = at + 2;
  if (length === 0 || start + length > der.length) throw bad('bad INTEGER length');
  const value = der.subarray(start, start + length);
  if ((value[0] ?? 0) & 0x80) throw bad('negative INTEGER');
  if (length > 1 && value[0] === 0 && !((value[1] ?? 0) & 0x80)) throw bad('non-minimal INTEGER');
  const stripped = value[0] === 0 ? value.subarray(1) : value;
  if (stripped.length > 32) throw bad('INTEGER longer than 32 bytes');
  return { value: stripped, next: start + length };
}

/** Decodes a strict DER (BIP 66) signature, without sighash byte, to 64-byte compact form. */
export function signatureFromDer(der: Uint8Array): Buffer {
  if (der.length < 8 || der.length > 72) throw bad('bad total length');
  if (der[0] !== 0x30 || der[1] !== der.length - 2) throw bad('bad SEQUENCE header');
  const r = decodeInt(der, 2);
  const s = decodeInt(der, r.next);
  if (s.next !== der.length) throw bad('trailing bytes');
  const out = Buffer.alloc(64);
  Buffer.from(r.value).copy(out, 32 - r.value.length);
  Buffer.from(s.value).copy(out, 64 - s.value.length);
  return out;
}
