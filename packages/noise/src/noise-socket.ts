import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ByteQueue } from './byte-queue.js';
import { LENGTH_HEADER_LENGTH } from './constants.js';
import { NoiseError, toNoiseError } from './errors.js';
import type { HandshakeResult } from './handshake.js';
import { NoiseTransport } from './transport.js';

/** Events of a {@link NoiseSocket}. */
export interface NoiseSocketEvents {
  /** One decrypted Lightning message. */
  message: [message: Buffer];
  /** The write buffer emptied after `write` returned false. */
  drain: [];
  /** Fatal: bad MAC, peer closed mid-frame, socket error. The connection is destroyed after it. */
  error: [error: NoiseError];
  /** The peer ended its side cleanly. */
  end: [];
  /** The TCP socket closed. */
  close: [];
}

/**
 * An established BOLT 8 connection over a `net.Socket`. Reading is flow-controlled like a
 * stream: messages flow once a `message` listener is attached (or `resume()` is called), and
 * `pause()` stops reading the TCP socket, so a slow consumer pushes back on the peer.
 */
export class NoiseSocket extends EventEmitter<NoiseSocketEvents> {
  /** The peer's static node key (33 bytes). */
  readonly remotePublicKey: Buffer;
  /** Our static node key (33 bytes). */
  readonly localPublicKey: Buffer;
  /** The underlying TCP socket (for addresses and metrics; do not read or write it directly). */
  readonly socket: Socket;
  private readonly transport: NoiseTransport;
  private readonly queue = new ByteQueue();
  private bodyLength = -1;
  private userPaused = false;
  private flowing = false;
  private processing = false;
  private corked = false;
  private closed = false;
  private failed = false;

  constructor(socket: Socket, keys: HandshakeResult, localPublicKey: Buffer, leftover: Buffer) {
    super();
    this.socket = socket;
    this.remotePublicKey = keys.remoteStaticKey;
    this.localPublicKey = localPublicKey;
    this.transport = new NoiseTransport(keys);
    this.queue.push(leftover);
    socket.pause();
    socket.on('data', (chunk: Buffer) => {
      this.queue.push(chunk);
      this.process();
    });
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', (err) => this.fail(toNoiseError(err)));
    socket.on('end', () => {
      if (this.bodyLength >= 0 || this.queue.length > 0) {
        this.fail(
          new NoiseError('NOISE_CLOSED', 'peer closed the connection mid-frame', {
            buffered: this.queue.length,
          }),
        );
      } else this.emit('end');
    });
    socket.on('close', () => {
      this.closed = true;
      this.emit('close');
    });
    // Like a Readable's 'data': attaching the first 'message' listener starts the flow.
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event === 'message' && !this.userPaused && !this.flowing)
        process.nextTick(() => this.startFlowing());
    });
  }

  /** True while reading is paused by `pause()`. */
  get isPaused(): boolean {
    return this.userPaused;
  }

  /** True until the TCP socket closes. */
  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  /** Bytes written but not yet handed to the kernel. */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  /**
   * Encrypts and queues one message (at most 65535 bytes). Returns false when the write buffer
   * is above its high-water mark: wait for `drain`. Frames written in one tick go out in one
   * batched write.
   */
  write(message: Uint8Array): boolean {
    if (this.closed || this.socket.destroyed || !this.socket.writable) {
      throw new NoiseError('NOISE_CLOSED', 'write after the connection closed');
    }
    const frame = this.transport.encrypt(message);
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    return this.socket.write(frame);
  }

  /** Stops delivering messages and stops reading the TCP socket. */
  pause(): this {
    this.userPaused = true;
    this.flowing = false;
    this.socket.pause();
    return this;
  }

  /** Resumes delivery (buffered messages first) and TCP reads. */
  resume(): this {
    this.userPaused = false;
    this.startFlowing();
    return this;
  }

  /** Flushes queued writes and half-closes; the peer's end then closes the socket. */
  end(): void {
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
    this.socket.end();
  }

  /** Closes the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private startFlowing(): void {
    if (this.userPaused || this.closed) return;
    this.flowing = true;
    this.process();
    if (this.flowing && !this.closed) this.socket.resume();
  }

  /** Decrypts and emits whole frames while flowing. */
  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      // destroy() from a 'message' listener must stop delivery of frames already buffered.
      while (this.flowing && !this.failed && !this.socket.destroyed) {
        if (this.bodyLength < 0) {
          const header = this.queue.take(LENGTH_HEADER_LENGTH);
          if (!header) break;
          this.bodyLength = this.transport.decryptLength(header);
        } else {
          const body = this.queue.take(this.bodyLength);
          if (!body) break;
          this.bodyLength = -1;
          this.emit('message', this.transport.decryptBody(body));
        }
      }
    } catch (err) {
      if (err instanceof NoiseError) this.fail(err);
      else throw err;
    } finally {
      this.processing = false;
    }
  }

  private fail(err: NoiseError): void {
    if (this.failed) return;
    this.failed = true;
    this.flowing = false;
    // Destroy first: a throwing (or missing) 'error' listener must not leave the socket open.
    this.socket.destroy();
    this.emit('error', err);
  }
}
