import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEYSTORE_FILE, writeClusterKeystore } from '@shoal/cluster';
import { ensureNodeSeed, KeyRing } from '@shoal/identity';
import { freePort, startProcess, type TestProcess } from './processes.js';

/** The repository root (this file runs from `test/dist/lib/`). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A node's shared secrets and identity for a test cluster, in a temp directory. */
export interface TestNode {
  dir: string;
  keystore: string;
  tlsPassword: string;
  apiPassword: string;
  nodeId: string;
  nodePrivKey: string;
  cleanup(): void;
}

export async function makeTestNode(): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-'));
  const tlsPassword = 'e2e-cluster-password';
  writeClusterKeystore({ datadir: dir, password: tlsPassword });
  const seed = await ensureNodeSeed(join(dir, 'backend'));
  const key = KeyRing.fromSeed(seed, 'regtest').nodeKey();
  return {
    dir,
    keystore: join(dir, KEYSTORE_FILE),
    tlsPassword,
    apiPassword: 'e2e-api-password',
    nodeId: key.nodeId,
    nodePrivKey: Buffer.from(key.privateKey).toString('hex'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const COMMON = (node: TestNode) => [
  '--chain=regtest',
  `--cluster.tls.file=${node.keystore}`,
  '--cluster.host=127.0.0.1',
  '--log.format=json',
  '--log.level=debug',
  '--cluster.failure-detector.threshold=2s',
  '--cluster.failure-detector.heartbeat-interval=500ms',
];

export interface BackendProcess {
  proc: TestProcess;
  clusterPort: number;
  apiPort: number;
  /** POSTs an API call with form parameters; resolves with the HTTP status and parsed JSON. */
  api(call: string, params?: Record<string, string>): Promise<{ status: number; body: unknown }>;
}

export async function startBackend(
  node: TestNode,
  ports: { clusterPort?: number; apiPort?: number } = {},
  extraArgs: string[] = [],
  opts: { startTimeoutMs?: number } = {},
): Promise<BackendProcess> {
  const clusterPort = ports.clusterPort ?? (await freePort());
  const apiPort = ports.apiPort ?? (await freePort());
  const proc = startProcess(
    'backend',
    process.execPath,
    [
      join(ROOT, 'apps/backend/dist/src/main.js'),
      `--datadir=${join(node.dir, 'backend')}`,
      ...COMMON(node),
      `--cluster.port=${clusterPort}`,
      '--api.enabled=true',
      '--api.binding-ip=127.0.0.1',
      `--api.port=${apiPort}`,
      ...extraArgs,
    ],
    { env: { ...process.env, CLUSTER_TLS_PASSWORD: node.tlsPassword, SHOAL_API_PASSWORD: node.apiPassword } },
  );
  await proc.waitFor(/"msg":"backend started"/, opts.startTimeoutMs ?? 30_000);
  const auth = `Basic ${Buffer.from(`:${node.apiPassword}`).toString('base64')}`;
  return {
    proc,
    clusterPort,
    apiPort,
    async api(call, params = {}) {
      const res = await fetch(`http://127.0.0.1:${apiPort}/${call}`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: res.status, body };
    },
  };
}

export interface FrontendProcess {
  proc: TestProcess;
  name: string;
  port: number;
  httpPort: number;
  clusterPort: number;
  ready(): Promise<boolean>;
}

export async function startFrontend(
  name: string,
  node: TestNode,
  backendClusterPort: number | readonly number[],
  opts: { env?: NodeJS.ProcessEnv; args?: string[]; waitReady?: boolean } = {},
): Promise<FrontendProcess> {
  const port = await freePort();
  const httpPort = await freePort();
  const clusterPort = await freePort();
  const proc = startProcess(
    name,
    process.execPath,
    [
      join(ROOT, 'apps/frontend/dist/src/main.js'),
      `--datadir=${join(node.dir, name)}`,
      ...COMMON(node),
      `--cluster.port=${clusterPort}`,
      // Several backends (issue 7): every one is a seed; the mesh routes to the leader.
      `--cluster.seed-nodes=${[backendClusterPort]
        .flat()
        .map((p) => `127.0.0.1:${p}`)
        .join(',')}`,
      '--server.binding-ip=127.0.0.1',
      `--server.port=${port}`,
      '--front.http-binding-ip=127.0.0.1',
      `--front.http-port=${httpPort}`,
      '--front.priv-key-provider=env',
      ...(opts.args ?? []),
    ],
    {
      env: {
        ...process.env,
        CLUSTER_TLS_PASSWORD: node.tlsPassword,
        NODE_PUB_KEY: node.nodeId,
        NODE_PRIV_KEY: node.nodePrivKey,
        ...opts.env,
      },
    },
  );
  const fe: FrontendProcess = {
    proc,
    name,
    port,
    httpPort,
    clusterPort,
    ready: () =>
      fetch(`http://127.0.0.1:${httpPort}/ready`).then(
        (r) => r.status === 200,
        () => false,
      ),
  };
  if (opts.waitReady !== false) await proc.waitFor(/"msg":"frontend ready"/, 30_000);
  return fe;
}

/** Runs HAProxy in the foreground with `deploy/haproxy/haproxy.cfg` in front of the frontends. */
export async function startHaproxy(fronts: FrontendProcess[]): Promise<{ proc: TestProcess; port: number }> {
  if (fronts.length !== 2) throw new Error('deploy/haproxy/haproxy.cfg names two frontends');
  const port = await freePort();
  const [a, b] = fronts as [FrontendProcess, FrontendProcess];
  const proc = startProcess('haproxy', 'haproxy', ['-db', '-f', join(ROOT, 'deploy/haproxy/haproxy.cfg')], {
    env: {
      ...process.env,
      SHOAL_LB_BIND: `127.0.0.1:${port}`,
      SHOAL_FRONT1: `127.0.0.1:${a.port}`,
      SHOAL_FRONT1_CHECK_PORT: String(a.httpPort),
      SHOAL_FRONT2: `127.0.0.1:${b.port}`,
      SHOAL_FRONT2_CHECK_PORT: String(b.httpPort),
    },
  });
  return { proc, port };
}
