/** FIFO of received chunks that hands out exact-size slices, copying only across chunk borders. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  private size = 0;

  /** Bytes buffered. */
  get length(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The next `n` bytes, or `undefined` (consuming nothing) when fewer are buffered. */
  take(n: number): Buffer | undefined {
    if (n > this.size) return undefined;
    const first = this.chunks[0];
    if (first === undefined) return n === 0 ? Buffer.alloc(0) : undefined;
    const available = first.length - this.head;
    if (available >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      this.size -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0] as Buffer;
      const copied = chunk.copy(out, filled, this.head, Math.min(chunk.length, this.head + n - filled));
      filled += copied;
      this.head += copied;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.size -= n;
    return out;
  }

  /** Everything buffered, emptying the queue. */
  takeAll(): Buffer {
    return this.take(this.size) ?? Buffer.alloc(0);
  }
}
