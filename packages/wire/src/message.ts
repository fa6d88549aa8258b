import { WireError } from './errors.js';
import {
  errorCodec,
  initCodec,
  peerStorageCodec,
  peerStorageRetrievalCodec,
  pingCodec,
  pongCodec,
  warningCodec,
} from './messages/bolt1.js';
import {
  closingCompleteCodec,
  closingSigCodec,
  closingSignedCodec,
  shutdownCodec,
} from './messages/channel-close.js';
import {
  acceptChannelCodec,
  channelReadyCodec,
  fundingCreatedCodec,
  fundingSignedCodec,
  openChannelCodec,
} from './messages/channel-open.js';
import type { MessageCodec } from './messages/codec.js';
import {
  acceptChannel2Codec,
  openChannel2Codec,
  spliceAckCodec,
  spliceInitCodec,
  spliceLockedCodec,
} from './messages/dual-fund.js';
import {
  announcementSignaturesCodec,
  channelAnnouncementCodec,
  channelUpdateCodec,
  nodeAnnouncementCodec,
} from './messages/gossip.js';
import {
  gossipTimestampFilterCodec,
  queryChannelRangeCodec,
  queryShortChannelIdsCodec,
  replyChannelRangeCodec,
  replyShortChannelIdsEndCodec,
} from './messages/gossip-queries.js';
import {
  commitmentSignedCodec,
  revokeAndAckCodec,
  startBatchCodec,
  updateAddHtlcCodec,
  updateFailHtlcCodec,
  updateFailMalformedHtlcCodec,
  updateFeeCodec,
  updateFulfillHtlcCodec,
} from './messages/htlc.js';
import {
  txAbortCodec,
  txAckRbfCodec,
  txAddInputCodec,
  txAddOutputCodec,
  txCompleteCodec,
  txInitRbfCodec,
  txRemoveInputCodec,
  txRemoveOutputCodec,
  txSignaturesCodec,
} from './messages/interactive-tx.js';
import { channelReestablishCodec, stfuCodec } from './messages/reestablish.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';

/** Every message codec this package knows, one per BOLT message type. */
export const CODECS = [
  warningCodec,
  peerStorageCodec,
  peerStorageRetrievalCodec,
  initCodec,
  errorCodec,
  pingCodec,
  pongCodec,
  stfuCodec,
  openChannelCodec,
  acceptChannelCodec,
  fundingCreatedCodec,
  fundingSignedCodec,
  channelReadyCodec,
  shutdownCodec,
  closingSignedCodec,
  openChannel2Codec,
  acceptChannel2Codec,
  txAddInputCodec,
  txAddOutputCodec,
  txRemoveInputCodec,
  txRemoveOutputCodec,
  txCompleteCodec,
  txSignaturesCodec,
  txInitRbfCodec,
  txAckRbfCodec,
  txAbortCodec,
  spliceLockedCodec,
  spliceInitCodec,
  spliceAckCodec,
  closingCompleteCodec,
  closingSigCodec,
  startBatchCodec,
  updateAddHtlcCodec,
  updateFulfillHtlcCodec,
  updateFailHtlcCodec,
  commitmentSignedCodec,
  revokeAndAckCodec,
  updateFeeCodec,
  updateFailMalformedHtlcCodec,
  channelReestablishCodec,
  channelAnnouncementCodec,
  nodeAnnouncementCodec,
  channelUpdateCodec,
  announcementSignaturesCodec,
  queryShortChannelIdsCodec,
  replyShortChannelIdsEndCodec,
  queryChannelRangeCodec,
  replyChannelRangeCodec,
  gossipTimestampFilterCodec,
] as const;

type CodecMessage<C> = C extends MessageCodec<infer M> ? M : never;

/** A decoded known message: a discriminated union on `type` (the spec's message name). */
export type KnownMessage = CodecMessage<(typeof CODECS)[number]>;

/** Name of a known message type. */
export type MessageName = KnownMessage['type'];

/** A message of a type this package does not know (BOLT 1: odd = ignore, even = close the connection). */
export interface UnknownMessage {
  type: number;
  unknown: true;
  payload: Uint8Array;
}

/** What {@link decodeMessage} returns. */
export type Message = KnownMessage | UnknownMessage;

/** BOLT message type numbers by name. */
export const MESSAGE_TYPES = Object.fromEntries(CODECS.map((c) => [c.name, c.id])) as Record<
  MessageName,
  number
>;

const BY_ID = new Map<number, MessageCodec<KnownMessage>>();
const BY_NAME = new Map<string, MessageCodec<KnownMessage>>();
for (const c of CODECS as readonly MessageCodec<KnownMessage>[]) {
  BY_ID.set(c.id, c);
  BY_NAME.set(c.name, c);
}

/** BOLT 1: the transport limits a message (type included) to 65535 bytes. */
export const MAX_MESSAGE_SIZE = 65535;

/** The known message name of a type number (metrics and logs). */
export function messageName(typeId: number): MessageName | undefined {
  return BY_ID.get(typeId)?.name;
}

/** BOLT 1 "Lightning Message Format": the group a type number falls in. */
export type MessageGroup = 'setup' | 'channel' | 'commitment' | 'routing' | 'custom' | 'unassigned';

/** BOLT 1: setup & control 0-31, channel 32-127, commitment 128-255, routing 256-511, custom 32768-65535. */
export function messageGroup(typeId: number): MessageGroup {
  if (typeId < 0 || typeId > 0xffff || !Number.isInteger(typeId)) return 'unassigned';
  if (typeId < 32) return 'setup';
  if (typeId < 128) return 'channel';
  if (typeId < 256) return 'commitment';
  if (typeId < 512) return 'routing';
  return typeId >= 32768 ? 'custom' : 'unassigned';
}

/** Whether a message is of an unknown type. */
export function isUnknownMessage(m: Message): m is UnknownMessage {
  return typeof m.type === 'number';
}

/**
 * BOLT 1 "Lightning Message Format": a receiver MUST ignore an unknown odd type and MUST close
 * the connection on an unknown even type.
 */
export function unknownMessageAction(type: number): 'ignore' | 'close' {
  return type % 2 === 1 ? 'ignore' : 'close';
}

/** The BOLT type number of a message. */
export function messageTypeId(m: Message): number {
  return isUnknownMessage(m) ? m.type : BY_NAME.get(m.type)!.id;
}

/** BOLT 1: 2-byte big-endian type, then the payload (with its extension TLV stream). */
export function encodeMessage(m: Message): Uint8Array {
  const w = new Writer(256);
  if (isUnknownMessage(m)) {
    w.u16(m.type, 'type').bytes(m.payload);
  } else {
    const codec = BY_NAME.get(m.type)!;
    w.u16(codec.id, 'type');
    codec.encode(w, m);
  }
  if (w.length > MAX_MESSAGE_SIZE) {
    throw new WireError('WIRE_BAD_MESSAGE', `message of ${w.length} bytes exceeds ${MAX_MESSAGE_SIZE}`, {
      length: w.length,
    });
  }
  return w.finish();
}

/**
 * BOLT 1: decodes a message (type + payload). Unknown types are returned as {@link UnknownMessage};
 * malformed known messages raise {@link WireError}, and nothing else.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  if (bytes.length < 2) {
    throw new WireError('WIRE_BAD_MESSAGE', `message of ${bytes.length} bytes has no type`, {
      length: bytes.length,
    });
  }
  if (bytes.length > MAX_MESSAGE_SIZE) {
    throw new WireError('WIRE_BAD_MESSAGE', `message of ${bytes.length} bytes exceeds ${MAX_MESSAGE_SIZE}`, {
      length: bytes.length,
    });
  }
  const r = new Reader(bytes);
  const type = r.u16('type');
  const codec = BY_ID.get(type);
  if (!codec) return { type, unknown: true, payload: r.rest() };
  const m = codec.decode(r);
  r.end(codec.name);
  return m;
}
