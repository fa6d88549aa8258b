import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ActorRef,
  ClusterMember,
  type ClusterTls,
  CodecRegistry,
  generateClusterCertificate,
  type Message,
  type MessageType,
} from '@shoal/cluster';
import { secp256k1 } from '@shoal/crypto';
import {
  type FrontProtocol,
  MESH_PROTOCOL_VERSION,
  PATHS,
  registerFrontProtocol,
} from '@shoal/front-protocol';
import { createLogger, type Logger } from '@shoal/log';
import { createMetricsRegistry, type Registry } from '@shoal/metrics';
import { openSqliteStore, type Store } from '@shoal/store';
import { Backend, type BackendDeps, type BackendOptions } from '../src/index.js';

/** Bitcoin's regtest genesis hash as BOLT 0 `chain_hash` bytes. */
export const REGTEST = Buffer.from('06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f', 'hex');
export const PASSWORD = 'test-api-password';
export const THRESHOLD_MS = 1000;
export const HEARTBEAT_MS = 200;

let tlsCache: ClusterTls | undefined;
/** One cluster certificate per test file (RSA key generation takes ~0.2 s). */
export function clusterTls(): ClusterTls {
  if (tlsCache === undefined) {
    const c = generateClusterCertificate();
    tlsCache = { cert: c.certPem, key: c.keyPem, ca: c.certPem };
  }
  return tlsCache;
}

/** A node id (33-byte compressed public key) made from a one-byte seed. */
export function nodeId(n: number): Uint8Array {
  return secp256k1.publicKeyCreate(Buffer.alloc(32, n));
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Errors only, unless SHOAL_TEST_LOG=debug. */
export function testLogger(): Logger {
  const level = process.env.SHOAL_TEST_LOG === 'debug' ? 'debug' : 'error';
  return createLogger({ level, format: 'json' });
}

/** Resolves once `cond()` holds, checking every 20 ms; rejects after `timeoutMs` naming `what`. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Messages an actor received, with waiters for the next one of a type. */
export class Inbox {
  readonly messages: Message[] = [];
  private waiters: { pred: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];

  push(m: Message): void {
    this.messages.push(m);
    const w = this.waiters.find((x) => x.pred(m));
    if (w !== undefined) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(m);
    }
  }

  /** The first message of `type` not yet taken (now or later), within `timeoutMs`. */
  take<T>(type: MessageType<T>, timeoutMs = 5000): Promise<T> {
    const i = this.messages.findIndex((m) => type.is(m));
    if (i >= 0) {
      const [m] = this.messages.splice(i, 1);
      return Promise.resolve((m as Message<T>).value);
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x.resolve !== done);
        reject(new Error(`no ${type.name} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (m: Message): void => {
        clearTimeout(timer);
        this.messages.splice(this.messages.indexOf(m), 1);
        resolve((m as Message<T>).value);
      };
      this.waiters.push({ pred: (m) => type.is(m), resolve: done });
    });
  }

  count<T>(type: MessageType<T>): number {
    return this.messages.filter((m) => type.is(m)).length;
  }
}

/** Test stand-in for a frontend: a real cluster member with role `frontend`. */
export class TestFrontend {
  readonly member: ClusterMember;
  readonly proto: FrontProtocol;
  readonly spawnerInbox = new Inbox();
  private n = 0;

  constructor(seed: string, tls: ClusterTls = clusterTls()) {
    const codecs = new CodecRegistry();
    this.proto = registerFrontProtocol(codecs);
    this.member = new ClusterMember(
      { logger: testLogger().child({ member: 'test-frontend' }), codecs },
      {
        host: '127.0.0.1',
        port: 0,
        roles: ['frontend'],
        seedNodes: [seed],
        tls,
        protocolVersion: MESH_PROTOCOL_VERSION,
        failureDetectorThresholdMs: THRESHOLD_MS,
        heartbeatIntervalMs: HEARTBEAT_MS,
      },
    );
  }

  /** Starts the member and waits until the backend's switchboard is registered here. */
  async start(withSpawner = false): Promise<void> {
    await this.member.start();
    if (withSpawner) {
      const ref = this.member.spawn('client-spawner', {
        initialState: undefined,
        handle: (_s: undefined, m: Message) => this.spawnerInbox.push(m),
      });
      this.member.mediator.put(PATHS.clientSpawner, ref);
    }
    await waitUntil(
      () => (this.member.mediator.registeredPaths().get(PATHS.switchboard)?.length ?? 0) > 0,
      10_000,
      'the switchboard registration',
    );
  }

  async stop(): Promise<void> {
    await this.member.stop();
  }

  /** A connection actor whose received messages go to its inbox. */
  connection(): { ref: ActorRef; inbox: Inbox } {
    const inbox = new Inbox();
    const ref = this.member.spawn(`conn-${++this.n}`, {
      initialState: undefined,
      handle: (_s: undefined, m: Message) => inbox.push(m),
    });
    return { ref, inbox };
  }

  /**
   * Flows 1-3: a connection authenticates as `node`, gets `InitializeConnection` and answers
   * `ConnectionReady`. Returns the connection and the Peer's ref.
   */
  async connectPeer(
    node: Uint8Array,
    opts: { outgoing?: boolean; requestId?: bigint; remoteAddress?: string } = {},
  ): Promise<{ ref: ActorRef; inbox: Inbox; peer: ActorRef }> {
    const c = this.connection();
    this.member.mediator.send(
      PATHS.switchboard,
      this.proto.peerAuthenticated.of({
        connection: c.ref,
        nodeId: node,
        remoteAddress: opts.remoteAddress ?? '127.0.0.1:40001',
        outgoing: opts.outgoing ?? false,
        requestId: opts.requestId ?? 0n,
      }),
      { sender: c.ref },
    );
    const init = await c.inbox.take(this.proto.initializeConnection);
    this.member.tell(
      init.peer,
      this.proto.connectionReady.of({ connection: c.ref, nodeId: node, remoteInit: REMOTE_INIT }),
      c.ref,
    );
    return { ...c, peer: init.peer };
  }
}

/** A BOLT 1 `init` with no features and no TLVs. */
export const REMOTE_INIT = Uint8Array.of(0, 16, 0, 0, 0, 0);

/** A backend in-process with a SQLite store in a temp dir, plus what the tests need to reach it. */
export interface TestBackend {
  backend: Backend;
  store: Store;
  registry: Registry;
  dir: string;
  url: string;
  /** Stops the backend, closes the store; removes the dir unless `keepDir`. */
  stop(keepDir?: boolean): Promise<void>;
}

export async function startBackend(
  opts: {
    dir?: string;
    reconnect?: Partial<BackendOptions['reconnect']>;
    connectTimeoutMs?: number;
    maxIdlePeers?: number;
    /** Collaborators besides the store, logger and registry (e.g. a chain source, the node key). */
    deps?: Partial<BackendDeps>;
    /** Options over the test defaults (node id, alias, addresses, gossip...). */
    options?: Partial<BackendOptions>;
  } = {},
): Promise<TestBackend> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'shoal-backend-'));
  const store = await openSqliteStore({ path: join(dir, 'shoal.sqlite') });
  const registry = createMetricsRegistry({ labels: { role: 'backend' }, defaultMetrics: false });
  const backend = new Backend(
    { logger: testLogger(), store, registry, blockHeight: async () => 0, ...opts.deps },
    {
      nodeId: nodeId(200),
      alias: 'test-backend',
      color: '49daaa',
      network: 'regtest',
      chainHash: REGTEST,
      publicAddresses: [],
      cluster: {
        host: '127.0.0.1',
        port: 0,
        seedNodes: [],
        tls: clusterTls(),
        failureDetectorThresholdMs: THRESHOLD_MS,
        heartbeatIntervalMs: HEARTBEAT_MS,
      },
      api: { host: '127.0.0.1', port: 0, password: PASSWORD, authFailureDelayMs: 0 },
      reconnect: { enabled: true, initialDelayMs: 50, maxDelayMs: 400, ...opts.reconnect },
      connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
      ...(opts.maxIdlePeers === undefined ? {} : { maxIdlePeers: opts.maxIdlePeers }),
      ...opts.options,
    },
  );
  try {
    await backend.start();
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    backend,
    store,
    registry,
    dir,
    url: `http://127.0.0.1:${backend.apiPort}`,
    async stop(keepDir = false) {
      await backend.stop();
      await store.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `POST /<call>` with form fields and the test password; the status and parsed JSON. */
export async function api(
  url: string,
  call: string,
  fields: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/${call}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`:${PASSWORD}`).toString('base64')}` },
    body: new URLSearchParams(fields),
  });
  return { status: res.status, body: await res.json() };
}
