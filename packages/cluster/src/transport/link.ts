import type { WebSocket } from 'ws';
import type { PeerIdentity } from '../codec/frame.js';
import { ClusterError } from '../errors.js';

/** Link callbacks set by the member. */
export interface LinkHandlers {
  frame(link: Link, data: Buffer): void;
  close(link: Link, code: number, reason: string): void;
  drain(link: Link): void;
}

/**
 * One established WebSocket to a peer member. Sends are FIFO (one socket); the bytes handed to
 * the socket but not yet written are bounded: above `highWaterMark` `send` returns false (pause),
 * and `drain` fires once they fall to half of it; above `maxQueueBytes` `send` throws, as it does
 * for a frame over `maxFrameBytes` (every member must use the same limit).
 */
export class Link {
  queuedBytes = 0;
  lastSeen = Date.now();
  /** Settles once the socket has closed (its 'close' event). */
  readonly done: Promise<void>;
  private saturated = false;
  private closed = false;

  constructor(
    readonly ws: WebSocket,
    readonly peer: PeerIdentity,
    /** Address of the member that dialled this link (decides which link survives a race). */
    readonly dialer: string,
    private readonly limits: { highWaterMark: number; maxQueueBytes: number; maxFrameBytes: number },
    private readonly handlers: LinkHandlers,
  ) {
    ws.binaryType = 'nodebuffer';
    this.done =
      ws.readyState === ws.CLOSED
        ? Promise.resolve()
        : new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data, isBinary) => {
      this.lastSeen = Date.now();
      if (!isBinary || !Buffer.isBuffer(data)) return this.handlers.frame(this, Buffer.alloc(0));
      this.handlers.frame(this, data);
    });
    ws.on('close', (code, reason) => {
      this.closed = true;
      this.handlers.close(this, code, reason.toString());
    });
    ws.on('error', () => {
      // 'close' follows every 'error' and reports it; the member logs there.
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  /** True when a producer should pause. */
  get isSaturated(): boolean {
    return this.saturated;
  }

  /** Queues a frame; false = queued but saturated; throws when closed or over the hard limit. */
  send(frame: Buffer): boolean {
    if (!this.isOpen) {
      throw new ClusterError('CLUSTER_UNREACHABLE', `link to ${this.peer.address} is closed`, {
        address: this.peer.address,
      });
    }
    const n = frame.length;
    // The peer closes the whole link (1009) on a frame over its maxPayload: refuse this one instead.
    if (n > this.limits.maxFrameBytes) {
      throw new ClusterError('CLUSTER_BAD_FRAME', `frame of ${n} bytes exceeds maxFrameBytes`, {
        address: this.peer.address,
        bytes: n,
        maxFrameBytes: this.limits.maxFrameBytes,
      });
    }
    if (this.queuedBytes + n > this.limits.maxQueueBytes) {
      this.saturated = true;
      throw new ClusterError('CLUSTER_LINK_OVERFLOW', `send queue to ${this.peer.address} is full`, {
        address: this.peer.address,
        queuedBytes: this.queuedBytes,
        maxQueueBytes: this.limits.maxQueueBytes,
      });
    }
    this.queuedBytes += n;
    this.ws.send(frame, { binary: true }, () => {
      this.queuedBytes -= n;
      if (this.saturated && this.queuedBytes <= this.limits.highWaterMark / 2) {
        this.saturated = false;
        this.handlers.drain(this);
      }
    });
    if (this.queuedBytes >= this.limits.highWaterMark) this.saturated = true;
    return !this.saturated;
  }

  /** Sends a control frame regardless of the high-water mark (heartbeats must not starve). */
  sendControl(frame: Buffer): void {
    if (!this.isOpen) return;
    this.ws.send(frame, { binary: true });
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    // A peer that vanished never answers the close handshake.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }
}
