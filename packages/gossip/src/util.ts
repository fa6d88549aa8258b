/** Byte equality without copying. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** A Map key for a node id (hex is only a key here; the bytes stay the data). */
export function nodeKey(nodeId: Uint8Array): string {
  return Buffer.from(nodeId.buffer, nodeId.byteOffset, nodeId.byteLength).toString('hex');
}

/** Block height of a short channel id (BOLT 7: the most significant 3 bytes). */
export function scidBlock(scid: bigint): number {
  return Number(scid >> 40n);
}
