import { WireError } from './errors.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';

/** One raw BOLT 1 `tlv_record`: a type and its undecoded value. */
export interface TlvRecord {
  type: bigint;
  value: Uint8Array;
}

/**
 * BOLT 1 "Type-Length-Value Format": reads raw records until the reader is empty, enforcing
 * minimal `type`/`length`, strictly increasing types and lengths within the remaining bytes.
 */
export function readTlvRecords(r: Reader): TlvRecord[] {
  const out: TlvRecord[] = [];
  let last = -1n;
  while (r.remaining > 0) {
    const type = r.bigsize('tlv.type');
    if (type <= last) {
      throw new WireError('WIRE_TLV_ORDER', `TLV type ${type} after ${last}`, {
        type: type.toString(),
        previous: last.toString(),
      });
    }
    last = type;
    const length = r.bigsize('tlv.length');
    if (length > BigInt(r.remaining)) {
      throw new WireError(
        'WIRE_TRUNCATED',
        `TLV ${type}: length ${length} exceeds ${r.remaining} remaining`,
        {
          type: type.toString(),
          length: length.toString(),
          remaining: r.remaining,
        },
      );
    }
    out.push({ type, value: r.bytes(Number(length), 'tlv.value') });
  }
  return out;
}

/** BOLT 1: writes records, which must already be in strictly increasing type order. */
export function writeTlvRecords(w: Writer, records: readonly TlvRecord[]): void {
  let last = -1n;
  for (const rec of records) {
    if (rec.type <= last) {
      throw new WireError('WIRE_TLV_ORDER', `TLV type ${rec.type} after ${last}`, {
        type: rec.type.toString(),
        previous: last.toString(),
      });
    }
    last = rec.type;
    w.bigsize(rec.type, 'tlv.type').bigsize(rec.value.length, 'tlv.length').bytes(rec.value);
  }
}

/** How one known TLV type of a stream is encoded. `decode` must consume the whole value. */
export interface TlvField<T> {
  readonly type: bigint;
  decode(r: Reader): T;
  encode(w: Writer, value: T): void;
}

/** The known types of one `tlv_stream`, by field name. */
export type TlvSchema = Record<string, TlvField<unknown>>;

/** Decoded known fields (each optional) plus the unknown odd records kept for re-encoding. */
export type TlvStream<S extends TlvSchema> = {
  [K in keyof S]?: S[K] extends TlvField<infer T> ? T : never;
} & { unknown: TlvRecord[] };

/** Defines one known TLV type. */
export function tlvField<T>(
  type: bigint,
  decode: (r: Reader) => T,
  encode: (w: Writer, v: T) => void,
): TlvField<T> {
  return { type, decode, encode };
}

const INDEX = new WeakMap<TlvSchema, Map<bigint, [string, TlvField<unknown>]>>();

/** Known types of a schema by number, built once per schema. */
function typeIndex(schema: TlvSchema): Map<bigint, [string, TlvField<unknown>]> {
  let byType = INDEX.get(schema);
  if (!byType) {
    byType = new Map();
    for (const [name, field] of Object.entries(schema)) byType.set(field.type, [name, field]);
    INDEX.set(schema, byType);
  }
  return byType;
}

/**
 * BOLT 1 TLV receiving rules: known types are decoded (their length must match exactly),
 * unknown even types fail, unknown odd types are kept in `unknown`.
 */
export function decodeTlvStream<S extends TlvSchema>(schema: S, r: Reader): TlvStream<S> {
  const byType = typeIndex(schema);
  const out: Record<string, unknown> = {};
  const unknown: TlvRecord[] = [];
  for (const rec of readTlvRecords(r)) {
    const known = byType.get(rec.type);
    if (!known) {
      if ((rec.type & 1n) === 0n) {
        throw new WireError('WIRE_UNKNOWN_EVEN_TLV', `unknown even TLV type ${rec.type}`, {
          type: rec.type.toString(),
        });
      }
      unknown.push(rec);
      continue;
    }
    const [name, field] = known;
    const sub = new Reader(rec.value);
    try {
      out[name] = field.decode(sub);
    } catch (e) {
      if (e instanceof WireError && e.code === 'WIRE_TRUNCATED') {
        throw new WireError(
          'WIRE_TLV_LENGTH',
          `TLV ${name}: length ${rec.value.length} too short`,
          {
            type: rec.type.toString(),
            field: name,
          },
          { cause: e },
        );
      }
      throw e;
    }
    sub.end(name);
  }
  out.unknown = unknown;
  return out as TlvStream<S>;
}

/** BOLT 1 TLV sending rules: known fields and kept unknown records, in strictly increasing type order. */
export function encodeTlvStream<S extends TlvSchema>(schema: S, w: Writer, stream: TlvStream<S>): void {
  const records: TlvRecord[] = [...stream.unknown];
  const values = stream as Record<string, unknown>;
  for (const [name, field] of Object.entries(schema)) {
    const v = values[name];
    if (v === undefined) continue;
    const fw = new Writer(64);
    field.encode(fw, v);
    records.push({ type: field.type, value: fw.finish() });
  }
  records.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  writeTlvRecords(w, records);
}

/** The stream of a message whose spec defines no TLV types: only unknown odd records survive. */
export const EMPTY_TLV_SCHEMA = {} satisfies TlvSchema;

/** Extension of a message without known TLVs. */
export type Extension = TlvStream<typeof EMPTY_TLV_SCHEMA>;
