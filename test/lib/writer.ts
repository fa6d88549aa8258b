// A stream of acknowledged store writes through the backend API, following the leader.
import type { AddressInfo } from 'node:net';
import nlNoise from '@node-lightning/noise';
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import type { HaBackend } from './ha.js';
import { REGTEST } from './peer.js';

type TheirSocket = ReturnType<typeof nlNoise.connect>;

/** BOLT 1 `init`: no features, `networks` = regtest. */
const INIT = Buffer.concat([Buffer.from('0010000000000120', 'hex'), REGTEST]);

/** A node-lightning BOLT 8 server with a fresh key that answers `init`: one writable peer. */
export async function listeningPeer(): Promise<{ nodeId: string; port: number; close(): void }> {
  const key = randomPrivateKey();
  const sockets: TheirSocket[] = [];
  const server = nlNoise.createServer({ ls: key }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.once('ready', () => socket.write(INIT));
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, () => resolve()));
  return {
    nodeId: secp256k1.publicKeyCreate(key).toString('hex'),
    port: (server.address() as AddressInfo).port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/**
 * Writes through `connect nodeId host port` (issue 7: until channels exist, peer records are the
 * API's store writes): the backend has a frontend dial a fresh node-lightning peer and, once
 * connected, upserts it in the store's `peers` table before answering 200. `acked` holds every
 * node id answered 200 `connected`: each one must be in the database from then on. Writes go to
 * `leader()`'s answer, asked again after every failure.
 */
export class StoreWriter {
  readonly acked = new Set<string>();
  attempts = 0;
  failures = 0;
  /** The backend that acknowledged each write (by name), for reports. */
  readonly ackedBy = new Map<string, number>();
  private running = false;
  private paused = false;
  private loop: Promise<void> | undefined;
  private target: HaBackend | undefined;
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(
    private readonly leader: () => Promise<HaBackend | undefined>,
    private readonly requestTimeoutMs = 4_000,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops issuing writes; resolves once the write in flight (if any) has its answer. */
  async pause(): Promise<void> {
    this.paused = true;
    await this.idle;
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Resolves once `n` more writes have been acknowledged than now; rejects after `timeoutMs`. */
  moreAcks(n: number, timeoutMs: number): Promise<void> {
    const target = this.acked.size + n;
    return new Promise((resolve, reject) => {
      const w = {
        n: target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(
          new Error(
            `${n} more writes not acknowledged within ${timeoutMs} ms (acked ${this.acked.size}, failed ${this.failures})`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  private idle: Promise<void> = Promise.resolve();

  private async run(): Promise<void> {
    while (this.running) {
      if (this.paused) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      let done!: () => void;
      this.idle = new Promise((r) => {
        done = r;
      });
      try {
        const ok = await this.writeOnce();
        if (!ok) await new Promise((r) => setTimeout(r, 50));
      } finally {
        done();
      }
    }
  }

  /** One write; true when acknowledged. */
  private async writeOnce(): Promise<boolean> {
    const target = this.target ?? (await this.leader());
    if (target === undefined) return false;
    this.target = target;
    const peer = await listeningPeer();
    this.attempts++;
    try {
      const r = await target.api(
        'connect',
        { nodeId: peer.nodeId, host: '127.0.0.1', port: String(peer.port) },
        this.requestTimeoutMs,
      );
      if (r.status === 200 && r.body === 'connected') {
        this.acked.add(peer.nodeId);
        this.ackedBy.set(target.name, (this.ackedBy.get(target.name) ?? 0) + 1);
        this.waiters = this.waiters.filter((w) => {
          if (this.acked.size < w.n) return true;
          w.resolve();
          return false;
        });
        return true;
      }
    } catch {
      // Refused, reset or timed out: not acknowledged, so not counted (it may still be stored).
    } finally {
      peer.close();
    }
    this.failures++;
    this.target = undefined;
    return false;
  }
}
