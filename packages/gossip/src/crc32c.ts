const POLY_REVERSED = 0x82f63b78;

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY_REVERSED : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/**
 * CRC32C (Castagnoli), RFC 3720 Appendix B.4, as BOLT 7 `channel_update_checksums` requires.
 * `crc` continues a previous result so several slices can be summed without copying.
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
