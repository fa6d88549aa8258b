import { once } from 'node:events';
import nlNoise from '@node-lightning/noise';
import nlWire from '@node-lightning/wire';
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import { decodeMessage, encodeMessage, type Message } from '@shoal/wire';
import { withTimeout } from './processes.js';

/** Bitcoin's regtest genesis hash, internal byte order (BOLT 1 `chain_hash`). */
export const REGTEST = Buffer.from('06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f', 'hex');

type TheirSocket = ReturnType<typeof nlNoise.connect>;

/**
 * A Lightning peer built on an independent implementation (`@node-lightning/noise` for BOLT 8,
 * `@node-lightning/wire` for its `init`/`ping`), with a queue of the messages it received.
 */
export class TestPeer {
  readonly key = randomPrivateKey();
  readonly nodeId = secp256k1.publicKeyCreate(this.key).toString('hex');
  socket: TheirSocket | undefined;
  private inbox: Buffer[] = [];
  private waiters: ((m: Buffer) => void)[] = [];
  closed: Promise<void> = Promise.resolve();

  /** Connects and completes the handshake; does not send `init` yet. */
  async connect(host: string, port: number, remoteNodeId: string): Promise<void> {
    this.inbox = [];
    const socket = nlNoise.connect({ ls: this.key, rpk: Buffer.from(remoteNodeId, 'hex'), host, port });
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (m: Buffer) => {
      const w = this.waiters.shift();
      if (w) w(m);
      else this.inbox.push(m);
    });
    socket.on('error', () => {});
    await withTimeout(
      Promise.race([
        once(socket, 'ready'),
        this.closed.then(() => {
          throw new Error(`connection to ${host}:${port} closed during the handshake`);
        }),
      ]),
      10_000,
      'handshake timed out',
    );
  }

  /** The next message received, decoded with @shoal/wire. */
  async next(timeoutMs = 10_000): Promise<Message> {
    const raw = this.inbox.shift();
    if (raw) return decodeMessage(raw);
    const m = await withTimeout(
      new Promise<Buffer>((resolve) => this.waiters.push(resolve)),
      timeoutMs,
      'no message from the node in time',
    );
    return decodeMessage(m);
  }

  /** The next message of `type`, skipping others (e.g. pings). */
  async nextOf<T extends Message['type']>(
    type: T,
    timeoutMs = 10_000,
  ): Promise<Extract<Message, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.next(Math.max(1, deadline - Date.now()));
      if (m.type === type) return m as Extract<Message, { type: T }>;
      if (m.type === 'ping') this.answerPing(m);
    }
  }

  private answerPing(m: Message): void {
    if (m.type !== 'ping' || 'unknown' in m) return;
    if (m.numPongBytes < 65532) this.write(new nlWire.PongMessage(m.numPongBytes).serialize());
  }

  /** Receives the node's `init` and answers with ours (networks = regtest), both with node-lightning's codec. */
  async exchangeInit(): Promise<void> {
    const init = await this.nextOf('init');
    if (!init.tlvs.networks?.some((n) => REGTEST.equals(n)))
      throw new Error('node init does not name regtest');
    const ours = new nlWire.InitMessage();
    ours.chainHashes = [REGTEST];
    this.write(ours.serialize());
  }

  /** Sends a ping built by node-lightning and waits for the pong. */
  async ping(numPongBytes = 10): Promise<void> {
    const ping = new nlWire.PingMessage();
    ping.numPongBytes = numPongBytes;
    this.write(ping.serialize());
    const pong = await this.nextOf('pong');
    if (pong.ignored.length !== numPongBytes) throw new Error(`pong of ${pong.ignored.length} bytes`);
  }

  write(bytes: Uint8Array): void {
    if (!this.socket) throw new Error('not connected');
    this.socket.write(Buffer.from(bytes));
  }

  send(m: Message): void {
    this.write(encodeMessage(m));
  }

  close(): void {
    this.socket?.destroy();
  }
}
