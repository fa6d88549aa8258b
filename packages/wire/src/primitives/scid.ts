import { WireError } from '../errors.js';

/** BOLT 7 `short_channel_id`: an 8-byte value held as a bigint (sortable, usable as a Map key). */
export type ShortChannelId = bigint;

/** The three components of a short channel id (BOLT 7 "Definition of `short_channel_id`"). */
export interface ShortChannelIdParts {
  /** Block height, 3 bytes. */
  block: number;
  /** Transaction index within the block, 3 bytes. */
  txIndex: number;
  /** Output index, 2 bytes. */
  outputIndex: number;
}

function check(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new WireError('WIRE_BAD_SCID', `short_channel_id ${what} ${v} outside [0, ${max}]`, {
      field: what,
    });
  }
}

/** BOLT 7: block (3 bytes) || tx index (3 bytes) || output index (2 bytes). */
export function scidFromParts(parts: ShortChannelIdParts): ShortChannelId {
  check('block', parts.block, 0xffffff);
  check('txIndex', parts.txIndex, 0xffffff);
  check('outputIndex', parts.outputIndex, 0xffff);
  return (BigInt(parts.block) << 40n) | (BigInt(parts.txIndex) << 16n) | BigInt(parts.outputIndex);
}

/** Splits a short channel id into block, tx index and output index. */
export function scidToParts(scid: ShortChannelId): ShortChannelIdParts {
  if (scid < 0n || scid > 0xffffffffffffffffn) {
    throw new WireError('WIRE_BAD_SCID', 'short_channel_id outside 64 bits', { value: scid.toString() });
  }
  return {
    block: Number(scid >> 40n),
    txIndex: Number((scid >> 16n) & 0xffffffn),
    outputIndex: Number(scid & 0xffffn),
  };
}

/** BOLT 7 human-readable form, e.g. `539268x845x1`. */
export function scidToString(scid: ShortChannelId): string {
  const p = scidToParts(scid);
  return `${p.block}x${p.txIndex}x${p.outputIndex}`;
}

const SCID_RE = /^(\d{1,8})x(\d{1,8})x(\d{1,5})$/;

/** Parses `BLOCKxTXxOUT` (decimal components). */
export function scidFromString(s: string): ShortChannelId {
  const m = SCID_RE.exec(s);
  if (!m) throw new WireError('WIRE_BAD_SCID', `not a short_channel_id: ${JSON.stringify(s)}`, { value: s });
  return scidFromParts({ block: Number(m[1]), txIndex: Number(m[2]), outputIndex: Number(m[3]) });
}
