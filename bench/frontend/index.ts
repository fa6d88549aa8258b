/**
 * bench/frontend: (1) idle authenticated peers one frontend process holds, RSS per peer, against
 * a bare `@shoal/noise` server holding the same number; (2) BOLT 2 round trips/s peer -> frontend
 * -> backend -> frontend -> peer against the same peer talking to a single-process responder.
 * Backend, frontend and responder are the real programs / a child script, started with a raised
 * fd limit; the peers live in this process. Everything runs on one 2-core machine shared with
 * other work, so absolute numbers are noisy; the baseline runs in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEYSTORE_FILE, writeClusterKeystore } from '@shoal/cluster';
import { ensureNodeSeed, KeyRing } from '@shoal/identity';
import { type BenchRow, report, row } from '../lib/report.js';
import { type HoldResult, holdIdle } from './hold.js';
import { type BenchPeer, connectPeer, roundTrips } from './peers.js';
import { type Child, freePort, get, killAll, killAllSync, rssKiB, startNode, until } from './procs.js';

const PEERS = Number(process.env.BENCH_PEERS ?? 10_000);
const CONNECT_MS = Number(process.env.BENCH_CONNECT_MS ?? 120_000);
const RT_MS = Number(process.env.BENCH_MS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 64;
/** Hard bound of the whole bench; children are killed when it fires. */
const WATCHDOG_MS = Number(process.env.BENCH_WATCHDOG_MS ?? 9 * 60_000);

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const TLS_PASSWORD = 'bench-cluster-password';
const API_PASSWORD = 'bench-api-password';

interface Cluster {
  backend: Child;
  frontend: Child;
  responder: Child;
  frontPort: number;
  frontHttp: number;
  respPort: number;
  respHttp: number;
  nodeId: Buffer;
}

async function startCluster(dir: string): Promise<Cluster> {
  writeClusterKeystore({ datadir: dir, password: TLS_PASSWORD });
  const seed = await ensureNodeSeed(join(dir, 'backend'));
  const key = KeyRing.fromSeed(seed, 'regtest').nodeKey();
  const privHex = Buffer.from(key.privateKey).toString('hex');
  const common = [
    '--chain=regtest',
    `--cluster.tls.file=${join(dir, KEYSTORE_FILE)}`,
    '--cluster.host=127.0.0.1',
    '--log.format=json',
    '--log.level=warn',
  ];
  const [clusterPort, apiPort, frontPort, frontHttp, frontCluster, respPort, respHttp] = await Promise.all(
    Array.from({ length: 7 }, () => freePort()),
  );
  const env = { ...process.env, CLUSTER_TLS_PASSWORD: TLS_PASSWORD };
  const backend = startNode(
    'backend',
    join(ROOT, 'apps/backend/dist/src/main.js'),
    [
      `--datadir=${join(dir, 'backend')}`,
      ...common,
      `--cluster.port=${clusterPort}`,
      '--api.enabled=true',
      '--api.binding-ip=127.0.0.1',
      `--api.port=${apiPort}`,
    ],
    { ...env, SHOAL_API_PASSWORD: API_PASSWORD },
  );
  const auth = { authorization: `Basic ${Buffer.from(`:${API_PASSWORD}`).toString('base64')}` };
  await until(
    'backend RUNNING',
    async () => (await get(`http://127.0.0.1:${apiPort}/v1/state`, auth))?.includes('RUNNING') === true,
    60_000,
    backend,
  );
  const frontend = startNode(
    'frontend',
    join(ROOT, 'apps/frontend/dist/src/main.js'),
    [
      `--datadir=${join(dir, 'frontend')}`,
      ...common,
      `--cluster.port=${frontCluster}`,
      `--cluster.seed-nodes=127.0.0.1:${clusterPort}`,
      '--server.binding-ip=127.0.0.1',
      `--server.port=${frontPort}`,
      '--front.http-binding-ip=127.0.0.1',
      `--front.http-port=${frontHttp}`,
      '--front.priv-key-provider=env',
    ],
    { ...env, NODE_PUB_KEY: key.nodeId, NODE_PRIV_KEY: privHex },
  );
  const responder = startNode('responder', join(HERE, 'responder.js'), [], {
    ...process.env,
    RESPONDER_KEY: privHex,
    RESPONDER_PORT: String(respPort),
    RESPONDER_HTTP_PORT: String(respHttp),
  });
  await until(
    'frontend ready',
    async () => (await get(`http://127.0.0.1:${frontHttp}/ready`)) !== undefined,
    60_000,
    frontend,
  );
  await until(
    'responder listening',
    async () => (await get(`http://127.0.0.1:${respHttp}/`)) !== undefined,
    30_000,
    responder,
  );
  return {
    backend,
    frontend,
    responder,
    frontPort: frontPort ?? 0,
    frontHttp: frontHttp ?? 0,
    respPort: respPort ?? 0,
    respHttp: respHttp ?? 0,
    nodeId: Buffer.from(key.nodeId, 'hex'),
  };
}

/** `shoal_peer_connections{state="ready"}` from the frontend's /metrics. */
async function frontendReady(c: Cluster): Promise<number> {
  const text = (await get(`http://127.0.0.1:${c.frontHttp}/metrics`)) ?? '';
  const m = /^shoal_peer_connections\{state="ready"[^}]*\} (\d+)/m.exec(text);
  return m?.[1] ? Number(m[1]) : 0;
}

async function roundTripRows(c: Cluster): Promise<BenchRow> {
  const peerKey = Buffer.alloc(32, 0x42);
  const front: BenchPeer = await connectPeer(c.frontPort, c.nodeId, peerKey);
  const resp: BenchPeer = await connectPeer(c.respPort, c.nodeId, peerKey);
  await until('frontend peer ready', async () => (await frontendReady(c)) === 1, 10_000, c.frontend);
  await roundTrips(front, 1000, IN_FLIGHT); // warm-up (JIT, Peer actor, mesh link)
  await roundTrips(resp, 1000, IN_FLIGHT);
  let bestFront = 0;
  let bestResp = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const f = await roundTrips(front, RT_MS, IN_FLIGHT);
    const s = await roundTrips(resp, RT_MS, IN_FLIGHT);
    console.log(`round ${r + 1}: frontend+backend ${f.toFixed(0)}/s, single process ${s.toFixed(0)}/s`);
    bestFront = Math.max(bestFront, f);
    bestResp = Math.max(bestResp, s);
  }
  front.socket.destroy();
  resp.socket.destroy();
  await until('frontend peer gone', async () => (await frontendReady(c)) === 0, 10_000, c.frontend);
  return row(
    `BOLT 2 open_channel -> error round trips, one peer, ${IN_FLIGHT} in flight (best of ${ROUNDS})`,
    'round trips/s',
    bestFront,
    bestResp,
    'single-process @shoal/noise responder',
  );
}

function describe(name: string, h: HoldResult): void {
  console.log(
    `${name}: ${h.held} peers in ${(h.connectMs / 1000).toFixed(1)} s (${h.failures} dial failures), ` +
      `RSS ${h.rssBefore} -> ${h.rssAfter} KiB (peak ${h.rssPeak}), ${h.perPeerKiB.toFixed(2)} KiB/peer`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-frontend-'));

async function main(): Promise<void> {
  try {
    const c = await startCluster(dir);
    const rows: BenchRow[] = [];
    rows.push(await roundTripRows(c));
    const fe = await holdIdle({
      name: 'frontend',
      port: c.frontPort,
      nodeId: c.nodeId,
      pid: c.frontend.pid,
      child: c.frontend,
      target: PEERS,
      connectMs: CONNECT_MS,
      ready: () => frontendReady(c),
      onIdle: async () => {
        const metrics = (await get(`http://127.0.0.1:${c.frontHttp}/metrics`)) ?? '';
        const pings = metrics.split('\n').filter((l) => /^shoal_messages_total\{.*type="p[io]ng"/.test(l));
        console.log(`backend RSS with them: ${rssKiB(c.backend.pid)} KiB; frontend ${pings.join(', ')}`);
      },
    });
    describe('frontend', fe);
    const base = await holdIdle({
      name: 'responder',
      port: c.respPort,
      nodeId: c.nodeId,
      pid: c.responder.pid,
      child: c.responder,
      target: fe.held,
      connectMs: CONNECT_MS,
      ready: async () => Number((await get(`http://127.0.0.1:${c.respHttp}/`)) ?? 0),
    });
    describe('bare noise server', base);
    rows.unshift(
      row(
        `idle authenticated peers held (handshake + init), target ${PEERS}`,
        'peers',
        fe.held,
        base.held,
        'bare @shoal/noise server, same N',
      ),
      row(
        `RSS per idle authenticated peer at N=${fe.held}`,
        'KiB',
        fe.perPeerKiB,
        base.perPeerKiB,
        'bare @shoal/noise server, same N',
      ),
      row(
        'handshake + init completions/s while filling (64 dialing)',
        'peers/s',
        fe.held / (fe.connectMs / 1000),
        base.held / (base.connectMs / 1000),
        'bare @shoal/noise server',
      ),
    );
    report('frontend', rows);
  } finally {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.on('exit', () => {
  killAllSync();
  rmSync(dir, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    killAllSync();
    process.exit(130);
  });
const watchdog = setTimeout(() => {
  console.error(`bench/frontend: over ${WATCHDOG_MS} ms, stopping`);
  killAllSync();
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  () => clearTimeout(watchdog),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
