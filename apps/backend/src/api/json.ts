/**
 * JSON text of an API result. Byte arrays become lowercase hex (Eclair's encoding of keys, hashes
 * and ids). `bigint`s become JSON numbers, as Eclair writes its `Long` amounts, while they are
 * exact in a JavaScript number (|n| <= 2^53 - 1); larger ones become decimal strings, so no client
 * reads a silently rounded amount (only msat amounts above ~90,000 BTC are concerned).
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, v: unknown) {
    // `Buffer#toJSON` runs before the replacer sees the value, so look at the original.
    const original = this[key];
    if (original instanceof Uint8Array)
      return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('hex');
    if (typeof v === 'bigint') {
      return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : v.toString();
    }
    return v;
  });
}
