import { WireError } from '../errors.js';

function range(what: string, value: number | bigint, max: number | bigint, min: number | bigint = 0): void {
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new WireError('WIRE_OUT_OF_RANGE', `${what}: ${value} is not an integer`, { field: what });
  }
  if (value < min || value > max) {
    throw new WireError('WIRE_OUT_OF_RANGE', `${what}: ${value} outside [${min}, ${max}]`, {
      field: what,
      value: value.toString(),
    });
  }
}

const U64_MAX = (1n << 64n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;

/**
 * Growable big-endian writer (BOLT 1 "Fundamental Types"). Values outside a field's range and
 * fixed-size fields of the wrong size raise {@link WireError} `WIRE_OUT_OF_RANGE`.
 */
export class Writer {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(Math.max(16, initialCapacity));
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): number {
    const at = this.#len;
    const need = at + n;
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, at));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    this.#len = need;
    return at;
  }

  /** BOLT 1 `byte` / `u8`. */
  u8(v: number, what = 'u8'): this {
    range(what, v, 0xff);
    const at = this.#reserve(1);
    this.#view.setUint8(at, v);
    return this;
  }

  /** BOLT 1 `u16`. */
  u16(v: number, what = 'u16'): this {
    range(what, v, 0xffff);
    const at = this.#reserve(2);
    this.#view.setUint16(at, v);
    return this;
  }

  /** BOLT 1 `u32`. */
  u32(v: number, what = 'u32'): this {
    range(what, v, 0xffffffff);
    const at = this.#reserve(4);
    this.#view.setUint32(at, v);
    return this;
  }

  /** BOLT 1 `u64`. */
  u64(v: bigint, what = 'u64'): this {
    range(what, v, U64_MAX, 0n);
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, v);
    return this;
  }

  /** BOLT 1 `s8` (two's complement, Appendix D). */
  s8(v: number, what = 's8'): this {
    range(what, v, 0x7f, -0x80);
    const at = this.#reserve(1);
    this.#view.setInt8(at, v);
    return this;
  }

  /** BOLT 1 `s16`. */
  s16(v: number, what = 's16'): this {
    range(what, v, 0x7fff, -0x8000);
    const at = this.#reserve(2);
    this.#view.setInt16(at, v);
    return this;
  }

  /** BOLT 1 `s32`. */
  s32(v: number, what = 's32'): this {
    range(what, v, 0x7fffffff, -0x80000000);
    const at = this.#reserve(4);
    this.#view.setInt32(at, v);
    return this;
  }

  /** BOLT 1 `s64`. */
  s64(v: bigint, what = 's64'): this {
    range(what, v, S64_MAX, S64_MIN);
    const at = this.#reserve(8);
    this.#view.setBigInt64(at, v);
    return this;
  }

  #truncated(v: bigint, maxBytes: number, what: string): this {
    range(what, v, (1n << BigInt(maxBytes * 8)) - 1n, 0n);
    let n = 0;
    for (let t = v; t > 0n; t >>= 8n) n++;
    const at = this.#reserve(n);
    for (let i = n - 1, t = v; i >= 0; i--, t >>= 8n) this.#buf[at + i] = Number(t & 0xffn);
    return this;
  }

  /** BOLT 1 `tu16`: minimal big-endian bytes, no length prefix. */
  tu16(v: number, what = 'tu16'): this {
    range(what, v, 0xffff);
    return this.#truncated(BigInt(v), 2, what);
  }

  /** BOLT 1 `tu32`. */
  tu32(v: number, what = 'tu32'): this {
    range(what, v, 0xffffffff);
    return this.#truncated(BigInt(v), 4, what);
  }

  /** BOLT 1 `tu64`. */
  tu64(v: bigint, what = 'tu64'): this {
    return this.#truncated(v, 8, what);
  }

  /** BOLT 1 Appendix A `bigsize`, always minimal. */
  bigsize(v: bigint | number, what = 'bigsize'): this {
    if (typeof v === 'number') range(what, v, Number.MAX_SAFE_INTEGER);
    const x = BigInt(v);
    range(what, x, U64_MAX, 0n);
    if (x < 0xfdn) return this.u8(Number(x));
    if (x < 0x10000n) return this.u8(0xfd).u16(Number(x));
    if (x < 0x100000000n) return this.u8(0xfe).u32(Number(x));
    return this.u8(0xff).u64(x);
  }

  /** Raw bytes. */
  bytes(b: Uint8Array): this {
    const at = this.#reserve(b.length);
    this.#buf.set(b, at);
    return this;
  }

  /** Exactly `n` bytes (`n*byte`). */
  fixed(b: Uint8Array, n: number, what = 'bytes'): this {
    if (b.length !== n) {
      throw new WireError('WIRE_OUT_OF_RANGE', `${what}: expected ${n} bytes, got ${b.length}`, {
        field: what,
        expected: n,
        actual: b.length,
      });
    }
    return this.bytes(b);
  }

  /** A u16 length then the bytes (`u16:len`, `len*byte:data`). */
  varBytes(b: Uint8Array, what = 'bytes'): this {
    return this.u16(b.length, `${what}.len`).bytes(b);
  }

  /** BOLT 1 `point` (33 bytes, prefix 02/03). */
  point(p: Uint8Array, what = 'point'): this {
    if (p.length === 33 && p[0] !== 0x02 && p[0] !== 0x03) {
      throw new WireError('WIRE_BAD_POINT', `${what}: prefix is not 02 or 03`, { field: what });
    }
    return this.fixed(p, 33, what);
  }

  /** BOLT 1 `signature` (64 bytes). */
  signature(s: Uint8Array, what = 'signature'): this {
    return this.fixed(s, 64, what);
  }

  /** 32 bytes: `chain_hash`, `channel_id`, `sha256`, secrets. */
  bytes32(b: Uint8Array, what = 'bytes32'): this {
    return this.fixed(b, 32, what);
  }

  /** BOLT 1 `short_channel_id` (8 bytes). */
  shortChannelId(scid: bigint, what = 'short_channel_id'): this {
    return this.u64(scid, what);
  }

  /** The bytes written, as a new array. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}
