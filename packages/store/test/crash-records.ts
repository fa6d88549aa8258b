import type { ChannelRecord, HtlcRecord } from '../src/index.js';
import { bytes, channel } from './records.js';

/** The one channel the crash test updates; its blob is a function of the version. */
export function crashChannel(version: bigint): ChannelRecord {
  return channel('crash', version, { blob: bytes(`crash-blob:${version}`, 512) });
}

/** One HTLC per version, written in the same transaction as that version. */
export function crashHtlc(version: bigint): HtlcRecord {
  return {
    channelId: crashChannel(0n).channelId,
    direction: 'offered',
    htlcId: version,
    amountMsat: version * 1000n,
    paymentHash: bytes(`crash-hash:${version}`),
    cltvExpiry: 800_000,
    state: 'pending',
    onion: new Uint8Array(0),
  };
}
