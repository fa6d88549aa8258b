import { once } from 'node:events';
import { createServer } from 'node:net';
import {
  type ActorRef,
  type ClusterCertificate,
  ClusterMember,
  type ClusterTls,
  CodecRegistry,
  generateClusterCertificate,
  type Message,
} from '@shoal/cluster';
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import {
  type FrontProtocol,
  MESH_PROTOCOL_VERSION,
  PATHS,
  registerFrontProtocol,
} from '@shoal/front-protocol';
import { createLogger, type Logger, silentLogger } from '@shoal/log';
import { createMetricsRegistry } from '@shoal/metrics';
import { connectNoise, type NoiseSocket } from '@shoal/noise';
import { Features } from '@shoal/wire';
import { Frontend, type FrontendOptions } from '../src/index.js';

/** Bitcoin's regtest genesis hash, as BOLT 1 `chain_hash` bytes. */
export const REGTEST = Buffer.from('06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f', 'hex');
export const OUR_FEATURES = Features.of({
  var_onion_optin: 'compulsory',
  payment_secret: 'compulsory',
}).toBytes();

let certCache: ClusterCertificate | undefined;
/** One cluster certificate for the whole test file (RSA key generation takes ~0.2 s). */
export function clusterCertificate(): ClusterCertificate {
  certCache ??= generateClusterCertificate();
  return certCache;
}

export function clusterTls(): ClusterTls {
  const c = clusterCertificate();
  return { cert: c.certPem, key: c.keyPem, ca: c.certPem };
}

/** A free loopback TCP port (listen on 0, close, reuse the number). */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Calls `pred` on every change until it returns a value; rejects after `timeoutMs`. */
export function until<T>(
  subscribe: (wake: () => void) => () => void,
  pred: () => T | undefined,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = pred();
    if (first !== undefined) {
      resolve(first);
      return;
    }
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const unsubscribe = subscribe(() => {
      const v = pred();
      if (v === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(v);
    });
  });
}

/** A mesh message the test backend received. */
export interface Received {
  msg: Message;
  sender: ActorRef | undefined;
}

/**
 * The frontend's counterpart in these tests: a real `ClusterMember` with role `backend` that
 * registers `PATHS.switchboard`, answers `PeerAuthenticated` with `InitializeConnection` (acting as
 * the `Peer` itself) and records everything it receives.
 */
export class TestBackend {
  readonly received: Received[] = [];
  readonly member: ClusterMember;
  readonly proto: FrontProtocol;
  ref: ActorRef | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly port: number,
    readonly init: { features: Uint8Array; chainHashes: Uint8Array[] } = {
      features: OUR_FEATURES,
      chainHashes: [REGTEST],
    },
    failureDetectorThresholdMs = 1000,
  ) {
    const codecs = new CodecRegistry();
    this.proto = registerFrontProtocol(codecs);
    this.member = new ClusterMember(
      { logger: silentLogger, codecs },
      {
        host: '127.0.0.1',
        port,
        roles: ['backend'],
        seedNodes: [`127.0.0.1:${port}`],
        tls: clusterTls(),
        protocolVersion: MESH_PROTOCOL_VERSION,
        failureDetectorThresholdMs,
        heartbeatIntervalMs: 200,
        maxRetryDelayMs: 300,
      },
    );
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await this.member.start();
    this.ref = this.member.spawn<0>('switchboard', {
      initialState: 0,
      handle: (s, msg, ctx) => {
        if (this.proto.peerAuthenticated.is(msg)) {
          ctx.tell(
            msg.value.connection,
            this.proto.initializeConnection.of({ peer: ctx.self, ...this.init, doSync: false }),
          );
        }
        this.received.push({ msg, sender: ctx.sender });
        for (const w of [...this.waiters]) w();
        return s;
      },
    });
    this.member.mediator.put(PATHS.switchboard, this.ref);
  }

  stop(): Promise<void> {
    return this.member.stop();
  }

  /** Waits for (or finds) the first received message of `type` matching `pred`. */
  waitFor<T>(
    type: { is(m: Message): m is Message<T> },
    pred: (v: T) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<T> {
    return until(
      (wake) => {
        this.waiters.add(wake);
        return () => this.waiters.delete(wake);
      },
      () => {
        for (const r of this.received) if (type.is(r.msg) && pred(r.msg.value)) return r.msg.value;
        return undefined;
      },
      `a ${type.constructor.name} message`,
      timeoutMs,
    );
  }

  /** Resolves with `pred`'s first defined value, re-checked on every received message. */
  waitUntil<T>(pred: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
    return until(
      (wake) => {
        this.waiters.add(wake);
        return () => this.waiters.delete(wake);
      },
      pred,
      what,
      timeoutMs,
    );
  }

  count<T>(type: { is(m: Message): m is Message<T> }): number {
    return this.received.filter((r) => type.is(r.msg)).length;
  }
}

/** The node key shared by the frontend and the peers' expectations. */
export function nodeKey(): { privateKey: Buffer; publicKey: Buffer } {
  const privateKey = Buffer.from(randomPrivateKey());
  return { privateKey, publicKey: Buffer.from(secp256k1.publicKeyCreate(privateKey)) };
}

export interface FrontendHandle {
  frontend: Frontend;
  key: { privateKey: Buffer; publicKey: Buffer };
  stop(): Promise<void>;
}

/** Starts a frontend on free ports, seeded with `backendPort`. */
export async function startFrontend(
  backendPort: number,
  over: Omit<Partial<FrontendOptions>, 'cluster'> & { cluster?: Partial<FrontendOptions['cluster']> } = {},
  logger: Logger = process.env.SHOAL_TEST_LOG === '1' ? createLogger({ level: 'debug' }) : silentLogger,
): Promise<FrontendHandle> {
  const key = nodeKey();
  const { cluster, ...rest } = over;
  const frontend = new Frontend(
    { logger, registry: createMetricsRegistry({ defaultMetrics: false }), nodeKey: key, tls: clusterTls() },
    {
      peer: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      authTimeoutMs: 2000,
      timeouts: { initTimeoutMs: 3000, pingIntervalMs: 60_000, pingTimeoutMs: 10_000 },
      readinessIntervalMs: 50,
      ...rest,
      cluster: {
        host: '127.0.0.1',
        port: 0,
        seedNodes: [`127.0.0.1:${backendPort}`],
        failureDetectorThresholdMs: 1000,
        heartbeatIntervalMs: 200,
        maxRetryDelayMs: 300,
        ...cluster,
      },
    },
  );
  await frontend.start();
  return { frontend, key, stop: () => frontend.stop() };
}

/** Resolves once the frontend's readiness is `ready` (now, or at its next ready/not-ready event). */
export async function waitReady(f: Frontend, ready = true, timeoutMs = 8000): Promise<void> {
  await until(
    (wake) => {
      f.on('ready', wake);
      f.on('not-ready', wake);
      return () => {
        f.off('ready', wake);
        f.off('not-ready', wake);
      };
    },
    () => (f.ready === ready ? true : undefined),
    ready ? 'frontend ready' : 'frontend not ready',
    timeoutMs,
  );
}

/** A `@shoal/noise` peer connected to the frontend, with its received messages queued. */
export class TestPeer {
  readonly messages: Buffer[] = [];
  closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(readonly socket: NoiseSocket) {
    socket.on('message', (m) => {
      this.messages.push(m);
      this.wake();
    });
    socket.on('error', () => this.wake());
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async connect(port: number, remote: Uint8Array): Promise<TestPeer> {
    const socket = await connectNoise({
      host: '127.0.0.1',
      port,
      localStaticKey: randomPrivateKey(),
      remoteStaticKey: remote,
    });
    return new TestPeer(socket);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private sub = (wake: () => void): (() => void) => {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  };

  /** Takes the first received message of BOLT type `type` (waiting for it). */
  async take(type: number, timeoutMs = 5000): Promise<Buffer> {
    return until(
      this.sub,
      () => {
        const i = this.messages.findIndex((m) => m.readUInt16BE(0) === type);
        if (i < 0) return undefined;
        return this.messages.splice(i, 1)[0];
      },
      `message type ${type}`,
      timeoutMs,
    );
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await until(this.sub, () => (this.closed ? true : undefined), 'the peer connection to close', timeoutMs);
  }

  write(m: Uint8Array): void {
    this.socket.write(m);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * For state that has no change event (the mediator registry): re-checks `cond` on each event-loop
 * turn (setImmediate, not a timed sleep) until it holds; rejects after `timeoutMs`.
 */
export function pollUntil(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => {
      done = true;
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    let done = false;
    const check = (): void => {
      if (done) return;
      if (cond()) {
        clearTimeout(deadline);
        resolve();
      } else setImmediate(check);
    };
    check();
  });
}
