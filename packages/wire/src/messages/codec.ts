import type { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';
import { decodeTlvStream, EMPTY_TLV_SCHEMA, type Extension, encodeTlvStream } from '../tlv.js';

/** Encoder and decoder of one message's payload (everything after the 2-byte type). */
export interface MessageCodec<M extends { type: string }> {
  /** BOLT message type number. */
  readonly id: number;
  readonly name: M['type'];
  encode(w: Writer, m: M): void;
  /** Reads the whole payload, including its extension TLV stream. */
  decode(r: Reader): M;
}

/** Builds a {@link MessageCodec}. */
export function messageCodec<M extends { type: string }>(
  id: number,
  name: M['type'],
  encode: (w: Writer, m: M) => void,
  decode: (r: Reader) => M,
): MessageCodec<M> {
  return { id, name, encode, decode };
}

/** BOLT 1 "Lightning Message Format": the `extension` of a message with no known TLV types. */
export function readExtension(r: Reader): Extension {
  return decodeTlvStream(EMPTY_TLV_SCHEMA, r);
}

/** Writes the kept unknown records of a message with no known TLV types. */
export function writeExtension(w: Writer, tlvs: Extension): void {
  encodeTlvStream(EMPTY_TLV_SCHEMA, w, tlvs);
}
