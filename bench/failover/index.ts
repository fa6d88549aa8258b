/**
 * bench/failover (issue 7): over BENCH_RUNS (default 20) runs, the time from kill -9 of the leader
 * backend to (a) the standby serving `getinfo` and (b) a peer reconnected through a frontend with
 * its BOLT 1 `init` exchanged. Real etcd, PostgreSQL, two backends (`cluster.leader-elector =
 * etcd`, `cluster.leader-session-ttl = BENCH_TTL`, default 2s) and one frontend seeding both.
 * The killed backend is restarted as the next standby before the next run.
 *
 * Baseline: LND cannot run here, so the baseline is its documented bound: `cluster.leader-session-ttl`
 * defaults to 90 s (lncfg/cluster.go; sample-lnd.conf: "The session TTL in seconds after which a new
 * leader is elected if the old leader is shut down, crashed or becomes unreachable"). A standby LND
 * takes over only after that lease expires, then opens its database and starts, so 90 s is a lower
 * bound of its (a) and (b). One 2-core machine shared with other work: numbers are noisy.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import nlNoise from '@node-lightning/noise';
import { KEYSTORE_FILE, writeClusterKeystore } from '@shoal/cluster';
import { randomPrivateKey } from '@shoal/crypto';
import { ensureNodeSeed, KeyRing, nodeSeedPath } from '@shoal/identity';
import { startPostgres, type TestPostgres } from '@shoal/store';
import { type BenchRow, report, row } from '../lib/report.js';
import { freePort, killAll, killAllSync, type Proc, start, startEtcd, until } from './procs.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TTL = process.env.BENCH_TTL ?? '2s';
const WATCHDOG_MS = Number(process.env.BENCH_WATCHDOG_MS ?? 6 * 60_000);
const LND_TTL_MS = 90_000;
const LND = 'LND cluster.leader-session-ttl default (90 s), documented bound';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TLS_PASSWORD = 'bench-cluster-password';
const API_PASSWORD = 'bench-api-password';
const AUTH = `Basic ${Buffer.from(`:${API_PASSWORD}`).toString('base64')}`;
/** BOLT 1 `init`: no features, `networks` = regtest (genesis hash, internal byte order). */
const INIT = Buffer.from(
  '0010000000000120' + '06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f',
  'hex',
);

interface Backend {
  name: string;
  proc: Proc;
  apiPort: number;
  clusterPort: number;
}

async function api(b: Backend, call: string, timeoutMs = 1_000): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${b.apiPort}/${call}`, {
    method: 'POST',
    headers: { authorization: AUTH },
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: r.status, body: await r.text() };
}

const serves = async (b: Backend): Promise<boolean> => {
  const r = await api(b, 'getinfo').catch(() => undefined);
  return r?.status === 200 && !r.body.includes('WAITING_TO_START');
};
const waiting = async (b: Backend): Promise<boolean> =>
  (await api(b, 'v1/state').catch(() => undefined))?.body.includes('WAITING_TO_START') === true;

/** Connects through the frontend and exchanges `init`; resolves with a handle to close it, or rejects. */
function peerSession(
  port: number,
  nodeId: Buffer,
  timeoutMs: number,
): Promise<{ closed: Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const socket = nlNoise.connect({ ls: randomPrivateKey(), rpk: nodeId, host: '127.0.0.1', port });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no init in time'));
    }, timeoutMs);
    socket.on('error', () => {});
    void closed.then(() => {
      clearTimeout(timer);
      reject(new Error('closed before init'));
    });
    socket.once('data', (m: Buffer) => {
      clearTimeout(timer);
      if (m.readUInt16BE(0) !== 16) {
        socket.destroy();
        reject(new Error(`first message of type ${m.readUInt16BE(0)}, not init`));
        return;
      }
      socket.write(INIT);
      resolve({ closed, close: () => socket.destroy() });
    });
  });
}

/** Wall-clock time (ms) of the last log line with `msg`, NaN when absent from the output tail. */
function logTime(p: Proc, msg: string): number {
  const lines = p
    .tail()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`));
  const time = /"time":"([^"]+)"/.exec(lines[lines.length - 1] ?? '')?.[1];
  return time === undefined ? Number.NaN : Date.parse(time);
}

function quantiles(xs: number[]): { p50: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? Number.NaN };
}

let pg: TestPostgres | undefined;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-failover-'));
  try {
    writeClusterKeystore({ datadir: dir, password: TLS_PASSWORD });
    const seed = await ensureNodeSeed(join(dir, 'backend-a'));
    // One node, two backends: the same seed in both datadirs.
    mkdirSync(join(dir, 'backend-b'));
    copyFileSync(nodeSeedPath(join(dir, 'backend-a')), nodeSeedPath(join(dir, 'backend-b')));
    const key = KeyRing.fromSeed(seed, 'regtest').nodeKey();
    const nodeId = Buffer.from(key.publicKey);
    mkdirSync(join(dir, 'etcd'));
    const [etcd, postgres] = await Promise.all([startEtcd(join(dir, 'etcd')), startPostgres()]);
    pg = postgres;
    await pg.createDatabase('shoal');
    const common = [
      '--chain=regtest',
      `--cluster.tls.file=${join(dir, KEYSTORE_FILE)}`,
      '--cluster.host=127.0.0.1',
      '--cluster.failure-detector.threshold=2s',
      '--cluster.failure-detector.heartbeat-interval=500ms',
      '--log.format=json',
      '--log.level=info',
    ];
    const env = { ...process.env, CLUSTER_TLS_PASSWORD: TLS_PASSWORD, SHOAL_API_PASSWORD: API_PASSWORD };
    const startBackend = async (
      name: string,
      ports?: { apiPort: number; clusterPort: number },
    ): Promise<Backend> => {
      const apiPort = ports?.apiPort ?? (await freePort());
      const clusterPort = ports?.clusterPort ?? (await freePort());
      const proc = start(
        'node',
        process.execPath,
        [
          join(ROOT, 'apps/backend/dist/src/main.js'),
          `--datadir=${join(dir, name)}`,
          ...common,
          `--cluster.port=${clusterPort}`,
          '--cluster.leader-elector=etcd',
          `--cluster.id=${name}`,
          `--cluster.etcd.endpoints=${etcd.endpoint}`,
          `--cluster.leader-session-ttl=${TTL}`,
          '--db.driver=postgres',
          `--db.postgres.hosts=127.0.0.1:${postgres.port}`,
          '--db.postgres.username=postgres',
          '--api.enabled=true',
          '--api.binding-ip=127.0.0.1',
          `--api.port=${apiPort}`,
        ],
        env,
      );
      const b = { name, proc, apiPort, clusterPort };
      await until(`${name} API up`, async () => (await api(b, 'v1/state')).status === 200, 30_000, proc);
      return b;
    };
    const backends = [await startBackend('backend-a')];
    await until('backend-a leads', () => serves(backends[0] as Backend), 30_000);
    backends.push(await startBackend('backend-b'));
    const [frontPort, frontHttp, frontCluster] = await Promise.all([freePort(), freePort(), freePort()]);
    const front = start(
      'node',
      process.execPath,
      [
        join(ROOT, 'apps/frontend/dist/src/main.js'),
        `--datadir=${join(dir, 'front')}`,
        ...common,
        `--cluster.port=${frontCluster}`,
        `--cluster.seed-nodes=${backends.map((b) => `127.0.0.1:${b.clusterPort}`).join(',')}`,
        '--server.binding-ip=127.0.0.1',
        `--server.port=${frontPort}`,
        '--front.http-binding-ip=127.0.0.1',
        `--front.http-port=${frontHttp}`,
        '--front.priv-key-provider=env',
      ],
      {
        ...process.env,
        CLUSTER_TLS_PASSWORD: TLS_PASSWORD,
        NODE_PUB_KEY: nodeId.toString('hex'),
        NODE_PRIV_KEY: Buffer.from(key.privateKey).toString('hex'),
      },
    );
    const ready = async () => (await fetch(`http://127.0.0.1:${frontHttp}/ready`)).status === 200;
    await until('frontend ready', ready, 30_000, front);

    const toLeader: number[] = [];
    const toPeer: number[] = [];
    const toElected: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let victim: Backend | undefined;
      await until(
        'one leader and one standby',
        async () => {
          const s = await Promise.all(backends.map(serves));
          const w = await Promise.all(backends.map(waiting));
          const i = s.indexOf(true);
          victim = i >= 0 && s.lastIndexOf(true) === i && w.includes(true) ? backends[i] : undefined;
          return victim !== undefined;
        },
        30_000,
      );
      const v = victim as Backend;
      const successor = backends.find((b) => b !== v) as Backend;
      await until('frontend ready', ready, 30_000, front);
      const session = await peerSession(frontPort, nodeId, 5_000);
      const t0 = performance.now();
      const wall0 = Date.now();
      v.proc.child.kill('SIGKILL');
      const a = until('successor serves', () => serves(successor), 30_000, successor.proc, 10).then(
        () => performance.now() - t0,
      );
      const b = (async () => {
        await session.closed; // the frontend drops the peers it held for the dead leader
        for (;;) {
          try {
            const again = await peerSession(frontPort, nodeId, 2_000);
            again.close();
            return performance.now() - t0;
          } catch {
            if (performance.now() - t0 > 30_000) throw new Error('peer not reconnected within 30 s');
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      })();
      const [ta, tb] = await Promise.all([a, b]);
      toLeader.push(ta);
      toPeer.push(tb);
      const elected = logTime(successor.proc, 'elected leader') - wall0;
      if (Number.isFinite(elected)) toElected.push(elected);
      console.log(
        `run ${run + 1}/${RUNS}: elected after ${elected} ms (its log), serves after ${ta.toFixed(0)} ms, peer init after ${tb.toFixed(0)} ms`,
      );
      await v.proc.gone();
      const again = await startBackend(v.name, { apiPort: v.apiPort, clusterPort: v.clusterPort });
      backends[backends.indexOf(v)] = again;
      await until(`${v.name} standby`, () => waiting(again), 30_000, again.proc);
    }
    const la = quantiles(toLeader);
    const pb = quantiles(toPeer);
    const el = quantiles(toElected);
    const ttlS = Number.parseFloat(TTL);
    const rows: BenchRow[] = [
      row(
        `kill -9 -> new leader serves getinfo, p50 (${RUNS} runs, TTL ${TTL})`,
        'ms',
        la.p50,
        LND_TTL_MS,
        LND,
      ),
      row('kill -9 -> new leader serves getinfo, p99', 'ms', la.p99, LND_TTL_MS, LND),
      row('kill -9 -> new leader serves getinfo, max', 'ms', la.max, LND_TTL_MS, LND),
      row('kill -9 -> standby elected (its log; the rest is start-up), p50', 'ms', el.p50, LND_TTL_MS, LND),
      row('kill -9 -> standby elected (its log), max', 'ms', el.max, LND_TTL_MS, LND),
      row('kill -9 -> peer reconnected via frontend, init done, p50', 'ms', pb.p50, LND_TTL_MS, LND),
      row('kill -9 -> peer reconnected via frontend, init done, p99', 'ms', pb.p99, LND_TTL_MS, LND),
      row('kill -9 -> peer reconnected via frontend, init done, max', 'ms', pb.max, LND_TTL_MS, LND),
      row('leader session TTL used', 's', ttlS, LND_TTL_MS / 1000, 'LND default cluster.leader-session-ttl'),
    ];
    report('failover', rows);
  } finally {
    await killAll();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAllSync();
    process.exit(130);
  });
}
const watchdog = setTimeout(() => {
  console.error(`bench/failover: watchdog after ${WATCHDOG_MS} ms`);
  killAllSync();
  void (pg?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
}, WATCHDOG_MS);
watchdog.unref();
main().then(
  () => clearTimeout(watchdog),
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
