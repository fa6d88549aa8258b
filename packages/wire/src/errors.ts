/** Error codes raised by `@shoal/wire`. */
export type WireErrorCode =
  /** Fewer bytes remain than a field needs (BOLT 1: "insufficient length"). */
  | 'WIRE_TRUNCATED'
  /** A BigSize is not minimally encoded (BOLT 1 Appendix A). */
  | 'WIRE_BAD_BIGSIZE'
  /** A truncated integer (tu16/tu32/tu64) has leading zeros. */
  | 'WIRE_NON_MINIMAL'
  /** TLV types are not strictly increasing (includes duplicates). */
  | 'WIRE_TLV_ORDER'
  /** A TLV stream holds an unknown even type. */
  | 'WIRE_UNKNOWN_EVEN_TLV'
  /** A known TLV record's length does not match its encoding (too short, too long, trailing bytes). */
  | 'WIRE_TLV_LENGTH'
  /** A `point` does not start with 0x02 or 0x03. */
  | 'WIRE_BAD_POINT'
  /** A value does not fit its field, or a fixed-size field got the wrong size when encoding. */
  | 'WIRE_OUT_OF_RANGE'
  /** An `encoded_*` array uses zlib (type 1), which BOLT 7 forbids. */
  | 'WIRE_ZLIB_UNSUPPORTED'
  /** An `encoded_*` array uses an unknown encoding type. */
  | 'WIRE_UNKNOWN_ENCODING'
  /** A byte string does not divide into whole elements. */
  | 'WIRE_BAD_ARRAY'
  /** A known address descriptor is malformed (BOLT 7 `node_announcement`). */
  | 'WIRE_BAD_ADDRESS'
  /** A short channel id string is malformed or a component is out of range. */
  | 'WIRE_BAD_SCID'
  /** A message is shorter than its 2-byte type, or longer than 65535 bytes. */
  | 'WIRE_BAD_MESSAGE'
  /** A message helper was given a message of another type. */
  | 'WIRE_WRONG_TYPE';

/** Metadata attached to a {@link WireError}; plain JSON values only so it can cross the mesh. */
export type WireErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of a {@link WireError}. */
export interface WireErrorJSON {
  name: 'WireError';
  code: WireErrorCode;
  message: string;
  meta: WireErrorMeta;
}

/** The one error class of this package: every malformed input raises one of these, never anything else. */
export class WireError extends Error {
  override readonly name = 'WireError';
  readonly code: WireErrorCode;
  readonly meta: WireErrorMeta;

  constructor(code: WireErrorCode, message: string, meta: WireErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): WireErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: WireErrorJSON): WireError {
    return new WireError(json.code, json.message, json.meta);
  }
}
