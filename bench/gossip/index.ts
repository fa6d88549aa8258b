/**
 * `npm run bench -- gossip`: a synthetic graph the size of mainnet (15k nodes, 60k channels, 120k
 * updates, valid signatures, funding outputs on the regtest chain) sent by one peer through one
 * frontend to a real backend, then by two peers through two frontends (half each).
 *
 * Figures: the time until the backend holds the whole graph (`networkstats` shows every channel,
 * update and node; the Router commits to the store before it counts), against the time one core
 * needs just to verify every signature natively; the frontend's signature checks per second of
 * its CPU time, against a libsecp256k1 verify loop in this process (the bound); and the two-frontend
 * time against the one-frontend time. `GOSSIP_BENCH_SCALE=0.1` for a quick run.
 */
import { once } from 'node:events';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { secp256k1 } from '@shoal/crypto';
import { channelAnnouncementDigest, decodeGossip, precheckGossip } from '@shoal/gossip';
import { REGTEST_CHAIN_HASH } from '#test-lib/gossip-gen.js';
import { stopAll } from '#test-lib/processes.js';
import {
  type BackendProcess,
  type FrontendProcess,
  makeTestNode,
  startBackend,
  startFrontend,
} from '#test-lib/shoal.js';
import { connectPeer } from '../frontend/peers.js';
import { type BenchRow, report, row } from '../lib/report.js';
import { type BenchGraph, loadGraph, type Unit } from './graph.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(HERE, '..', '..', '.cache');
const SCALE = Number(process.env.GOSSIP_BENCH_SCALE ?? '1');
if (!(SCALE > 0 && SCALE <= 1)) throw new Error('GOSSIP_BENCH_SCALE must be in (0, 1]');
/** `GOSSIP_BENCH_PROF=<dir>`: the cluster's processes write V8 CPU profiles there (`cpu-prof.ts`). */
const PROF_DIR = process.env.GOSSIP_BENCH_PROF;
/** `GOSSIP_BENCH_QUICK=1`: the one-frontend run only (no reload, no two-frontend run), for profiling. */
const QUICK = process.env.GOSSIP_BENCH_QUICK === '1';
const PARAMS = { nodes: Math.round(15_000 * SCALE), channels: Math.round(60_000 * SCALE) };
/** The whole run, generation included, ends by then. */
const WATCHDOG_MS = 8 * 60_000;
/** One cluster run waits at most this long for the graph. */
const RUN_LIMIT_MS = 180_000 * Math.max(SCALE, 0.2);
/**
 * Info logs (the test helpers log debug), heartbeats every second (the default) and a 15 s
 * failure detector: at the default 3 s a busy frontend is marked unreachable mid-run (README).
 */
const QUIET = [
  '--log.level=info',
  '--cluster.failure-detector.threshold=15s',
  '--cluster.failure-detector.heartbeat-interval=1s',
];

const log = (s: string): void => console.error(`[gossip] ${s}`);

interface NetworkStats {
  channels: number;
  nodes: number;
  updates?: number;
}

/** User plus system CPU seconds of a process so far (Linux `/proc/<pid>/stat`, clock ticks of 10 ms). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const cpuTotal = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

/** CPU seconds of every process of a run: frontends, backend, and this one (the peers). */
const runCpu = (r: RunResult): number => r.frontendCpu.reduce((a, b) => a + b, 0) + r.backendCpu + r.peersCpu;

/** Verifies real signatures of the graph in a loop for ~`ms`: the native bound, checks per second. */
function verifyBound(graph: BenchGraph, ms: number): number {
  const samples: { sig: Uint8Array; digest: Uint8Array; key: Uint8Array }[] = [];
  for (const unit of graph.units.slice(0, 2_000)) {
    const d = decodeGossip(unit[0] as Uint8Array);
    if (!d.ok || d.gossip.kind !== 'channel_announcement') throw new Error('unit without its announcement');
    const m = d.gossip.message;
    const h = channelAnnouncementDigest(m);
    samples.push({ sig: m.nodeSignature1, digest: h, key: m.nodeId1 });
    samples.push({ sig: m.bitcoinSignature2, digest: h, key: m.bitcoinKey2 });
  }
  const start = process.hrtime.bigint();
  const stop = start + BigInt(ms) * 1_000_000n;
  let n = 0;
  while (process.hrtime.bigint() < stop) {
    for (let i = 0; i < 256; i++, n++) {
      const s = samples[n % samples.length];
      if (!s || !secp256k1.verify(s.sig, s.digest, s.key))
        throw new Error('a generated signature does not verify');
    }
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * The frontend's pre-check (`precheckGossip`: decode, chain hash, signatures) over the graph's
 * messages in this process, with every channel known (so updates are checked too): signatures
 * checked per second on one core, the figure the native bound limits.
 */
function precheckRate(graph: BenchGraph, ms: number): number {
  const nodes = new Map<bigint, { nodeId1: Uint8Array; nodeId2: Uint8Array }>();
  const sample = graph.units.slice(0, 3_000);
  for (const unit of sample) {
    const d = decodeGossip(unit[0] as Uint8Array);
    if (d.ok && d.gossip.kind === 'channel_announcement')
      nodes.set(d.gossip.message.shortChannelId, d.gossip.message);
  }
  const messages = sample.flat();
  const options = { chainHash: REGTEST_CHAIN_HASH, channelNodes: (scid: bigint) => nodes.get(scid) };
  const start = process.hrtime.bigint();
  const stop = start + BigInt(ms) * 1_000_000n;
  let signatures = 0;
  for (let i = 0; process.hrtime.bigint() < stop; i++) {
    const pre = precheckGossip(messages[i % messages.length] as Uint8Array, options);
    if (!pre.ok || !pre.checked)
      throw new Error(`pre-check failed on a generated message: ${JSON.stringify(pre)}`);
    signatures += pre.gossip.kind === 'channel_announcement' ? 4 : 1;
  }
  return signatures / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Writes every message of `units` in order, waiting for `drain` when the socket buffers. */
async function sendUnits(
  socket: Awaited<ReturnType<typeof connectPeer>>['socket'],
  units: readonly Unit[],
  name: string,
): Promise<void> {
  let closed: Error | undefined;
  const onClose = (): void => {
    closed = new Error(`${name} closed the connection while the graph was being sent`);
  };
  socket.once('close', onClose);
  try {
    for (const unit of units) {
      for (const m of unit) {
        if (closed) throw closed;
        if (socket.write(m)) continue;
        await new Promise<void>((resolve) => {
          const done = (): void => {
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          socket.on('drain', done);
          socket.on('close', done);
        });
      }
    }
    if (closed) throw closed;
  } finally {
    socket.off('close', onClose);
  }
}

async function networkStats(backend: BackendProcess): Promise<NetworkStats> {
  const { status, body } = await backend.api('networkstats');
  if (status !== 200) throw new Error(`networkstats answered ${status}: ${JSON.stringify(body)}`);
  return body as NetworkStats;
}

interface RunResult {
  seconds: number;
  frontendCpu: number[];
  backendCpu: number;
  /** This process (the peers' encryption and writes, the `networkstats` polls) during the run. */
  peersCpu: number;
  /** Backend restart until its graph (loaded from the store) is whole again. */
  reloadSeconds?: number;
  /** Of which the backend's graph load (`gossip graph loaded` in its log). */
  graphLoadSeconds?: number;
  /** Signatures the frontends checked (from the backend's count of pre-checked gossip). */
  frontendSignatures?: number;
}

/**
 * Signatures the frontends verified, from the backend's `gossip router stopped` log line (gossip
 * received by type, and how much of it came signature-checked): 4 per announcement, 1 otherwise.
 */
function frontendSignatures(output: string): number {
  const line = /^\{.*"msg":"gossip router stopped".*$/m.exec(output)?.[0];
  if (!line) return Number.NaN;
  const { received } = JSON.parse(line) as { received?: Record<string, { prechecked: number }> };
  const n = (k: string): number => received?.[k]?.prechecked ?? 0;
  return 4 * n('channel_announcement') + n('channel_update') + n('node_announcement');
}

const graphCounts = (graph: BenchGraph): Required<NetworkStats> => ({
  channels: graph.params.channels,
  nodes: graph.params.nodes,
  updates: 2 * graph.params.channels,
});

/** Polls `networkstats` (every 500 ms: it sorts the graph's values) until it counts `want`. */
async function waitForGraph(
  backend: BackendProcess,
  want: Required<NetworkStats>,
  onTimeout: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + RUN_LIMIT_MS;
  for (;;) {
    const last = await networkStats(backend);
    if (last.channels >= want.channels && last.nodes >= want.nodes && (last.updates ?? 0) >= want.updates)
      return;
    if (Date.now() > deadline) {
      const logs = await onTimeout();
      throw new Error(
        `graph incomplete after ${RUN_LIMIT_MS} ms: ${counts(last)} of ${JSON.stringify(want)}; process logs in ${logs}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A fresh backend (the graph's chain as its embedded regtest chain) and `k` frontends, `k` peers. */
async function runCluster(graph: BenchGraph, k: number, reload: boolean): Promise<RunResult> {
  const node = await makeTestNode();
  try {
    copyFileSync(graph.chainLog, join(node.dir, 'backend', 'regtest-chain.log'));
    const [clusterPort, apiPort] = await distinctPorts(2);
    const backend = await startBackend(node, { clusterPort, apiPort }, QUIET);
    const fronts: FrontendProcess[] = [];
    for (let j = 0; j < k; j++)
      fronts.push(await startFrontend(`front-${j + 1}`, node, backend.clusterPort, { args: QUIET }));
    const nodeId = Buffer.from(node.nodeId, 'hex');
    const peers = await Promise.all(fronts.map((f) => connectPeer(f.port, nodeId)));
    const shares = fronts.map((_, j) => graph.units.filter((_, i) => i % k === j));
    const cpu0 = fronts.map((f) => cpuSeconds(f.proc.child.pid));
    const backendCpu0 = cpuSeconds(backend.proc.child.pid);
    const peersCpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    try {
      await Promise.all(peers.map((p, j) => sendUnits(p.socket, shares[j] ?? [], fronts[j]?.name ?? '')));
    } catch (err) {
      throw new Error(`${String(err)}; process logs in ${await saveLogs(backend, fronts)}`);
    }
    log(`${k} frontend(s): all ${graph.messages} messages written after ${elapsed(t0).toFixed(1)} s`);
    const want = graphCounts(graph);
    await waitForGraph(backend, want, () => saveLogs(backend, fronts));
    const seconds = elapsed(t0);
    const result: RunResult = {
      seconds,
      frontendCpu: fronts.map((f, j) => cpuSeconds(f.proc.child.pid) - (cpu0[j] ?? 0)),
      backendCpu: cpuSeconds(backend.proc.child.pid) - backendCpu0,
      peersCpu: cpuTotal(process.cpuUsage(peersCpu0)),
    };
    log(`${k} frontend(s): whole graph after ${seconds.toFixed(1)} s; cpu ${JSON.stringify(result)}`);
    for (const p of peers) p.socket.destroy();
    await backend.proc.stop(30_000);
    result.frontendSignatures = frontendSignatures(backend.proc.output());
    if (!reload) return result;
    // Stored: a restarted backend loads the same graph from its store.
    const t1 = process.hrtime.bigint();
    const again = await startBackend(
      node,
      { clusterPort: backend.clusterPort, apiPort: backend.apiPort },
      QUIET,
      { startTimeoutMs: RUN_LIMIT_MS },
    );
    await waitForGraph(again, want, () => saveLogs(again, fronts));
    const reloadSeconds = elapsed(t1);
    // The graph's own load (store reads and replay), as the backend logs it; the rest of the
    // restart is the process start and the embedded regtest chain replaying its block log.
    const loaded = /"msg":"gossip graph loaded"[^\n]*"ms":(\d+)/.exec(again.proc.output());
    const graphLoadSeconds = loaded ? Number(loaded[1]) / 1000 : Number.NaN;
    log(
      `backend restart: whole graph loaded from the store after ${reloadSeconds.toFixed(1)} s (graph load ${graphLoadSeconds.toFixed(1)} s)`,
    );
    return { ...result, reloadSeconds, graphLoadSeconds };
  } finally {
    await stopAll();
    node.cleanup();
  }
}

const counts = (s: NetworkStats): string =>
  JSON.stringify({ channels: s.channels, nodes: s.nodes, updates: s.updates });

/**
 * Writes each process's output and gossip metrics under `bench/.cache/logs/` (for a failed run);
 * returns the directory.
 */
async function saveLogs(backend: BackendProcess, fronts: readonly FrontendProcess[]): Promise<string> {
  const dir = join(CACHE, 'logs');
  mkdirSync(dir, { recursive: true });
  const metrics = async (url: string): Promise<string> =>
    fetch(url).then(
      (r) => r.text(),
      (err: unknown) => `unavailable: ${String(err)}`,
    );
  writeFileSync(join(dir, 'backend.log'), backend.proc.output());
  writeFileSync(join(dir, 'backend.metrics'), await metrics(`http://127.0.0.1:${backend.apiPort}/metrics`));
  for (const f of fronts) {
    writeFileSync(join(dir, `${f.name}.log`), f.proc.output());
    writeFileSync(join(dir, `${f.name}.metrics`), await metrics(`http://127.0.0.1:${f.httpPort}/metrics`));
  }
  return dir;
}

/** `n` different free ports (held open together while chosen, unlike repeated `freePort()` calls). */
async function distinctPorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer().listen(0, '127.0.0.1'));
  await Promise.all(servers.map((s) => once(s, 'listening')));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function elapsed(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  if (PROF_DIR) {
    mkdirSync(PROF_DIR, { recursive: true });
    // Only the processes started from here on (the backend and frontends) inherit it.
    const preload = join(HERE, 'cpu-prof.js');
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim();
  }
  log(`scale ${SCALE}: ${PARAMS.nodes} nodes, ${PARAMS.channels} channels, ${2 * PARAMS.channels} updates`);
  const graph = await loadGraph(CACHE, PARAMS, log);
  // The bound and the in-process pre-check, best of samples around the runs (other work on this
  // 2-core machine lowers some samples).
  const bounds = [verifyBound(graph, 1_500)];
  const prechecks = [precheckRate(graph, 1_500)];
  const one = await runCluster(graph, 1, !QUICK);
  if (QUICK) {
    log(`quick run: ${one.seconds.toFixed(1)} s; cpu ${JSON.stringify(one)}`);
    return;
  }
  bounds.push(verifyBound(graph, 1_500));
  prechecks.push(precheckRate(graph, 1_500));
  const two = await runCluster(graph, 2, false);
  bounds.push(verifyBound(graph, 1_500));
  const bound = Math.max(...bounds);
  const precheck = Math.max(...prechecks);
  log(
    `native verify: ${bounds.map((b) => b.toFixed(0)).join(', ')} checks/s; pre-check: ${prechecks.map((b) => b.toFixed(0)).join(', ')}`,
  );
  // Announcements and node announcements are always checked on the frontend; updates when its
  // graph copy holds their channel, or their announcement is in flight and verdicts lag.
  const frontendChecked = one.frontendSignatures ?? Number.NaN;
  const frontCpu = one.frontendCpu[0] ?? Number.NaN;
  const rows: BenchRow[] = [
    row(
      `graph validated and stored, 1 frontend (${PARAMS.channels} channels)`,
      's',
      one.seconds,
      graph.signatures / bound,
      'native verify of all its signatures, 1 core',
    ),
    row(
      'frontend pre-check, signatures per second, 1 core',
      'checks/s',
      precheck,
      bound,
      'libsecp256k1 verify loop',
    ),
    row(
      'frontend process: signatures it must check per CPU second',
      'checks/s',
      frontendChecked / frontCpu,
      bound,
      'libsecp256k1 verify loop',
    ),
    row('backend CPU seconds, 1 frontend', 's', one.backendCpu, frontCpu, 'frontend CPU seconds'),
    row('graph validated and stored, 2 frontends', 's', two.seconds, one.seconds, '1 frontend'),
    row(
      '2 frontends: CPU seconds of all processes (frontends, backend, peers)',
      's',
      runCpu(two),
      runCpu(one),
      '1 frontend',
    ),
    row(
      'graph reloaded from the store at backend restart',
      's',
      one.reloadSeconds ?? Number.NaN,
      one.seconds,
      'validating it (1 frontend)',
    ),
    row(
      'of which the graph load itself (store reads and replay)',
      's',
      one.graphLoadSeconds ?? Number.NaN,
      one.reloadSeconds ?? Number.NaN,
      'the whole restart',
    ),
  ];
  report('gossip', rows);
}

const watchdog = setTimeout(() => {
  log(`watchdog: the run took over ${WATCHDOG_MS / 1000} s`);
  stopAll().finally(() => process.exit(2));
}, WATCHDOG_MS);
main()
  .then(() => clearTimeout(watchdog))
  .catch((err: unknown) => {
    console.error(err);
    stopAll().finally(() => process.exit(1));
  });
