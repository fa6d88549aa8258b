import { crc32c } from './crc32c.js';

// Offsets in a whole channel_update message (2-byte type first).
const SIG_END = 2 + 64;
const TIMESTAMP_AT = SIG_END + 32 + 8;
const TIMESTAMP_END = TIMESTAMP_AT + 4;

/**
 * BOLT 7 `channel_update_checksums`: "the CRC32C checksum as specified in RFC3720 of this
 * `channel_update` without its `signature` and `timestamp` fields". Computed over the message
 * bytes after the type and signature, skipping the timestamp, through the end (any appended
 * fields included, as they are part of the update), so equal content gives equal checksums.
 */
export function channelUpdateChecksum(raw: Uint8Array): number {
  const head = crc32c(raw.subarray(SIG_END, TIMESTAMP_AT));
  return crc32c(raw.subarray(TIMESTAMP_END), head);
}
