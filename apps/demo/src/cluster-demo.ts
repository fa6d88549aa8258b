import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEYSTORE_FILE, writeClusterKeystore } from '@shoal/cluster';
import { ensureNodeSeed, KeyRing } from '@shoal/identity';
import type { Logger } from '@shoal/log';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Ports of the local demo cluster; each can be moved with an environment variable. */
export interface DemoPorts {
  api: number;
  backendCluster: number;
  fronts: { peer: number; http: number; cluster: number }[];
}

export function demoPorts(env: NodeJS.ProcessEnv): DemoPorts {
  const n = (name: string, dflt: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 0 || v > 65535)
      throw new Error(`${name} must be a port number, got ${JSON.stringify(raw)}`);
    return v;
  };
  return {
    api: n('DEMO_API_PORT', 8080),
    backendCluster: n('DEMO_CLUSTER_PORT', 25520),
    fronts: [
      {
        peer: n('DEMO_FRONT1_PORT', 9735),
        http: n('DEMO_FRONT1_HTTP_PORT', 8081),
        cluster: n('DEMO_FRONT1_CLUSTER_PORT', 25521),
      },
      {
        peer: n('DEMO_FRONT2_PORT', 9736),
        http: n('DEMO_FRONT2_HTTP_PORT', 8082),
        cluster: n('DEMO_FRONT2_CLUSTER_PORT', 25522),
      },
    ],
  };
}

/** Secrets the demo keeps in its data directory (mode 0600) so a restart reuses them. */
function secret(dir: string, name: string): string {
  const path = join(dir, name);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = randomBytes(18).toString('base64url');
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

export interface DemoCluster {
  nodeId: string;
  apiPassword: string;
  ports: DemoPorts;
  datadir: string;
  stop(): Promise<void>;
  /** Resolves when any process of the demo exits on its own. */
  died: Promise<string>;
}

/**
 * Starts the embedded-default node: one backend (SQLite, embedded regtest chain) and two frontends
 * on localhost, with a generated cluster certificate and node seed. Each process logs to
 * `<datadir>/<name>.log`.
 */
export async function startDemoCluster(
  deps: { logger: Logger },
  opts: { datadir: string; ports: DemoPorts },
): Promise<DemoCluster> {
  const { datadir, ports } = opts;
  const backendDir = join(datadir, 'backend');
  mkdirSync(backendDir, { recursive: true, mode: 0o700 });
  const tlsPassword = secret(datadir, 'cluster-tls-password');
  const apiPassword = secret(datadir, 'api-password');
  const keystore = join(datadir, KEYSTORE_FILE);
  if (!existsSync(keystore)) {
    deps.logger.info('generating the cluster certificate', { path: keystore });
    writeClusterKeystore({ datadir, password: tlsPassword });
  }
  const seed = await ensureNodeSeed(backendDir);
  const nodeKey = KeyRing.fromSeed(seed, 'regtest').nodeKey();
  const nodeId = nodeKey.nodeId;
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, CLUSTER_TLS_PASSWORD: tlsPassword };
  const common = [
    '--chain=regtest',
    `--cluster.tls.file=${keystore}`,
    '--cluster.host=127.0.0.1',
    '--log.format=json',
  ];

  const children: { name: string; child: ChildProcess }[] = [];
  const start = (name: string, script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess => {
    const log = openSync(join(datadir, `${name}.log`), 'a');
    const child = spawn(process.execPath, [join(ROOT, script), ...args], {
      env,
      stdio: ['ignore', log, log],
    });
    children.push({ name, child });
    return child;
  };

  start(
    'backend',
    'apps/backend/dist/src/main.js',
    [
      `--datadir=${backendDir}`,
      ...common,
      `--cluster.port=${ports.backendCluster}`,
      '--api.enabled=true',
      `--api.port=${ports.api}`,
    ],
    { ...baseEnv, SHOAL_API_PASSWORD: apiPassword },
  );
  ports.fronts.forEach((f, i) => {
    const dir = join(datadir, `front${i + 1}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    start(
      `front${i + 1}`,
      'apps/frontend/dist/src/main.js',
      [
        `--datadir=${dir}`,
        ...common,
        `--cluster.port=${f.cluster}`,
        `--cluster.seed-nodes=127.0.0.1:${ports.backendCluster}`,
        '--server.binding-ip=127.0.0.1',
        `--server.port=${f.peer}`,
        '--front.http-binding-ip=127.0.0.1',
        `--front.http-port=${f.http}`,
        '--front.priv-key-provider=env',
      ],
      { ...baseEnv, NODE_PUB_KEY: nodeId, NODE_PRIV_KEY: Buffer.from(nodeKey.privateKey).toString('hex') },
    );
  });

  let stopping = false;
  const died = new Promise<string>((resolveDied) => {
    for (const { name, child } of children) {
      child.once('exit', (code, signal) => {
        if (!stopping) resolveDied(`${name} exited (${code ?? signal}); see ${join(datadir, `${name}.log`)}`);
      });
    }
  });
  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  return { nodeId, apiPassword, ports, datadir, stop, died };
}

/** Waits until every frontend answers `/ready` with 200, or `timeoutMs` passes. */
export async function waitUntilReady(cluster: DemoCluster, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(cluster.ports.fronts.map((f) => f.http));
  while (pending.size > 0) {
    for (const port of [...pending]) {
      const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) pending.delete(port);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline)
      throw new Error(`frontends on HTTP ports ${[...pending].join(', ')} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
