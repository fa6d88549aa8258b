import { WireError } from '../errors.js';

/**
 * Bounds-checked big-endian reader over a byte array (BOLT 1 "Fundamental Types").
 * Every failure is a {@link WireError}; byte fields are returned as copies, so a decoded
 * message never aliases the input buffer.
 */
export class Reader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    // A plain Uint8Array view: Buffer#slice would return a view, not a copy.
    this.#bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.#pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  #need(n: number, what: string): number {
    if (n > this.remaining) {
      throw new WireError('WIRE_TRUNCATED', `${what}: need ${n} bytes, ${this.remaining} left`, {
        field: what,
        need: n,
        remaining: this.remaining,
        offset: this.#pos,
      });
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  /** BOLT 1 `byte` / `u8`. */
  u8(what = 'u8'): number {
    return this.#view.getUint8(this.#need(1, what));
  }

  /** BOLT 1 `u16`. */
  u16(what = 'u16'): number {
    return this.#view.getUint16(this.#need(2, what));
  }

  /** BOLT 1 `u32`. */
  u32(what = 'u32'): number {
    return this.#view.getUint32(this.#need(4, what));
  }

  /** BOLT 1 `u64`, as a bigint. */
  u64(what = 'u64'): bigint {
    return this.#view.getBigUint64(this.#need(8, what));
  }

  /** BOLT 1 `s8` (two's complement, Appendix D). */
  s8(what = 's8'): number {
    return this.#view.getInt8(this.#need(1, what));
  }

  /** BOLT 1 `s16`. */
  s16(what = 's16'): number {
    return this.#view.getInt16(this.#need(2, what));
  }

  /** BOLT 1 `s32`. */
  s32(what = 's32'): number {
    return this.#view.getInt32(this.#need(4, what));
  }

  /** BOLT 1 `s64`, as a bigint. */
  s64(what = 's64'): bigint {
    return this.#view.getBigInt64(this.#need(8, what));
  }

  /**
   * BOLT 1 truncated integer of at most `max` bytes filling the rest of the reader
   * (it is always the final value of a TLV record); leading zeros are rejected.
   */
  #truncated(max: number, what: string): bigint {
    const n = this.remaining;
    if (n > max) {
      throw new WireError('WIRE_TLV_LENGTH', `${what}: ${n} bytes exceed ${max}`, {
        field: what,
        length: n,
      });
    }
    const at = this.#need(n, what);
    if (n > 0 && this.#bytes[at] === 0) {
      throw new WireError('WIRE_NON_MINIMAL', `${what}: leading zero byte`, { field: what, length: n });
    }
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.#bytes[at + i]!);
    return v;
  }

  /** BOLT 1 `tu16`: reads all remaining bytes (0 to 2), minimal encoding enforced. */
  tu16(what = 'tu16'): number {
    return Number(this.#truncated(2, what));
  }

  /** BOLT 1 `tu32`: reads all remaining bytes (0 to 4), minimal encoding enforced. */
  tu32(what = 'tu32'): number {
    return Number(this.#truncated(4, what));
  }

  /** BOLT 1 `tu64`: reads all remaining bytes (0 to 8), minimal encoding enforced. */
  tu64(what = 'tu64'): bigint {
    return this.#truncated(8, what);
  }

  /** BOLT 1 Appendix A `bigsize`; rejects non-canonical and truncated encodings. */
  bigsize(what = 'bigsize'): bigint {
    const first = this.u8(what);
    let v: bigint;
    let min: bigint;
    if (first < 0xfd) return BigInt(first);
    if (first === 0xfd) {
      v = BigInt(this.u16(what));
      min = 0xfdn;
    } else if (first === 0xfe) {
      v = BigInt(this.u32(what));
      min = 0x10000n;
    } else {
      v = this.u64(what);
      min = 0x100000000n;
    }
    if (v < min) {
      throw new WireError('WIRE_BAD_BIGSIZE', `${what}: decoded bigsize is not canonical`, {
        field: what,
        offset: this.#pos,
      });
    }
    return v;
  }

  /** A `bigsize` that must fit a JavaScript number (lengths, counts). */
  bigsizeNumber(what = 'bigsize'): number {
    const v = this.bigsize(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new WireError('WIRE_OUT_OF_RANGE', `${what}: ${v} is too large`, {
        field: what,
        value: v.toString(),
      });
    }
    return Number(v);
  }

  /** `n*byte`, copied. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    const at = this.#need(n, what);
    return this.#bytes.slice(at, at + n);
  }

  /** Every remaining byte, copied (a `...*byte` field). */
  rest(): Uint8Array {
    return this.bytes(this.remaining, 'rest');
  }

  /** A u16 length followed by that many bytes (`u16:len`, `len*byte:data`). */
  varBytes(what = 'bytes'): Uint8Array {
    return this.bytes(this.u16(`${what}.len`), what);
  }

  /** A reader over the next `n` bytes; this reader skips past them. */
  sub(n: number, what = 'sub'): Reader {
    const at = this.#need(n, what);
    return new Reader(this.#bytes.subarray(at, at + n));
  }

  /** BOLT 1 `point`: 33 bytes, compressed SEC1 (prefix 0x02 or 0x03; on-curve is the verifier's job). */
  point(what = 'point'): Uint8Array {
    const p = this.bytes(33, what);
    if (p[0] !== 0x02 && p[0] !== 0x03) {
      throw new WireError('WIRE_BAD_POINT', `${what}: prefix 0x${p[0]!.toString(16)} is not 02 or 03`, {
        field: what,
      });
    }
    return p;
  }

  /** BOLT 1 `signature`: 64 bytes (compact r || s). */
  signature(what = 'signature'): Uint8Array {
    return this.bytes(64, what);
  }

  /** 32 bytes: `chain_hash`, `channel_id`, `sha256`, secrets. */
  bytes32(what = 'bytes32'): Uint8Array {
    return this.bytes(32, what);
  }

  /** BOLT 1 `short_channel_id`: 8 bytes, as a bigint (see `scid.ts`). */
  shortChannelId(what = 'short_channel_id'): bigint {
    return this.u64(what);
  }

  /** Throws unless every byte was consumed. */
  end(what = 'value'): void {
    if (this.remaining !== 0) {
      throw new WireError('WIRE_TLV_LENGTH', `${what}: ${this.remaining} unexpected trailing bytes`, {
        field: what,
        remaining: this.remaining,
      });
    }
  }
}
