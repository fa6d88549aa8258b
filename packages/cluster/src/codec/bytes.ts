import { ClusterError } from '../errors.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });

/** Growable big-endian writer for frames and codecs. */
export class ByteWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initial = 64) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf.writeUInt8(v, this.len);
    this.len += 1;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  u64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64BE(v, this.len);
    this.len += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** A byte string prefixed with its u16 length. */
  varBytes16(b: Uint8Array): this {
    if (b.length > 0xffff) throw new ClusterError('CLUSTER_CODEC', 'field longer than 65535 bytes');
    return this.u16(b.length).bytes(b);
  }

  /** A UTF-8 string prefixed with its u16 byte length. */
  str(s: string): this {
    return this.varBytes16(utf8.encode(s));
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/** Bounds-checked big-endian reader; every short read is a `CLUSTER_BAD_FRAME`. */
export class ByteReader {
  private off = 0;
  private readonly view: Buffer;

  constructor(b: Uint8Array) {
    this.view = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }

  private need(n: number): void {
    if (this.off + n > this.view.length) {
      throw new ClusterError('CLUSTER_BAD_FRAME', 'short read', {
        need: n,
        left: this.view.length - this.off,
      });
    }
  }

  u8(): number {
    this.need(1);
    return this.view.readUInt8(this.off++);
  }

  u16(): number {
    this.need(2);
    const v = this.view.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.view.readBigUInt64BE(this.off);
    this.off += 8;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const v = this.view.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }

  varBytes16(): Buffer {
    return this.bytes(this.u16());
  }

  str(): string {
    try {
      return utf8d.decode(this.varBytes16());
    } catch (err) {
      if (err instanceof ClusterError) throw err;
      throw new ClusterError('CLUSTER_BAD_FRAME', 'invalid UTF-8 string');
    }
  }

  /** Everything not read yet. */
  rest(): Buffer {
    const v = this.view.subarray(this.off);
    this.off = this.view.length;
    return v;
  }

  get remaining(): number {
    return this.view.length - this.off;
  }

  /** Fails unless every byte was consumed. */
  end(): void {
    if (this.remaining !== 0)
      throw new ClusterError('CLUSTER_BAD_FRAME', 'trailing bytes', { left: this.remaining });
  }
}
