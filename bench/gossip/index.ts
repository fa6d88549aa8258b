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
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { secp256k1 } from '@shoal/crypto';
import { channelAnnouncementDigest, decodeGossip } from '@shoal/gossip';
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
const PARAMS = { nodes: Math.round(15_000 * SCALE), channels: Math.round(60_000 * SCALE) };
/** The whole run, generation included, ends by then. */
const WATCHDOG_MS = 8 * 60_000;
/** One cluster run waits at most this long for the graph. */
const RUN_LIMIT_MS = 180_000 * Math.max(SCALE, 0.2);
const QUIET = ['--log.level=info'];

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

/** Writes every message of `units` in order, waiting for `drain` when the socket buffers. */
async function sendUnits(socket: Awaited<ReturnType<typeof connectPeer>>['socket'], units: readonly Unit[]) {
  for (const unit of units) {
    for (const m of unit) {
      if (!socket.write(m)) await new Promise<void>((resolve) => socket.once('drain', () => resolve()));
    }
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
}

/** A fresh backend (the graph's chain as its embedded regtest chain) and `k` frontends, `k` peers. */
async function runCluster(graph: BenchGraph, k: number): Promise<RunResult> {
  const node = await makeTestNode();
  try {
    copyFileSync(graph.chainLog, join(node.dir, 'backend', 'regtest-chain.log'));
    const backend = await startBackend(node, {}, QUIET);
    const fronts: FrontendProcess[] = [];
    for (let j = 0; j < k; j++)
      fronts.push(await startFrontend(`front-${j + 1}`, node, backend.clusterPort, { args: QUIET }));
    const nodeId = Buffer.from(node.nodeId, 'hex');
    const peers = await Promise.all(fronts.map((f) => connectPeer(f.port, nodeId)));
    const shares = fronts.map((_, j) => graph.units.filter((_, i) => i % k === j));
    const cpu0 = fronts.map((f) => cpuSeconds(f.proc.child.pid));
    const backendCpu0 = cpuSeconds(backend.proc.child.pid);
    const t0 = process.hrtime.bigint();
    await Promise.all(peers.map((p, j) => sendUnits(p.socket, shares[j] ?? [])));
    log(`${k} frontend(s): all ${graph.messages} messages written after ${elapsed(t0).toFixed(1)} s`);
    const want = {
      channels: graph.params.channels,
      nodes: graph.params.nodes,
      updates: 2 * graph.params.channels,
    };
    let last: NetworkStats = { channels: 0, nodes: 0 };
    const deadline = Date.now() + RUN_LIMIT_MS;
    for (;;) {
      last = await networkStats(backend);
      const done =
        last.channels >= want.channels &&
        last.nodes >= want.nodes &&
        (last.updates === undefined || last.updates >= want.updates);
      if (done) break;
      if (Date.now() > deadline)
        throw new Error(
          `graph incomplete after ${RUN_LIMIT_MS} ms: ${JSON.stringify(last)} of ${JSON.stringify(want)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = elapsed(t0);
    const result = {
      seconds,
      frontendCpu: fronts.map((f, j) => cpuSeconds(f.proc.child.pid) - (cpu0[j] ?? 0)),
      backendCpu: cpuSeconds(backend.proc.child.pid) - backendCpu0,
    };
    log(
      `${k} frontend(s): ${JSON.stringify(last)} after ${seconds.toFixed(1)} s; cpu ${JSON.stringify(result)}`,
    );
    for (const p of peers) p.socket.destroy();
    return result;
  } finally {
    await stopAll();
    node.cleanup();
  }
}

function elapsed(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  log(`scale ${SCALE}: ${PARAMS.nodes} nodes, ${PARAMS.channels} channels, ${2 * PARAMS.channels} updates`);
  const graph = await loadGraph(CACHE, PARAMS, log);
  const bound = verifyBound(graph, 2_000);
  log(`native verify bound: ${bound.toFixed(0)} checks/s on one core`);
  const one = await runCluster(graph, 1);
  const two = await runCluster(graph, 2);
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
      'signature checks per frontend CPU second',
      'checks/s',
      graph.signatures / frontCpu,
      bound,
      'libsecp256k1 verify loop',
    ),
    row(
      'signature checks per second, wall clock, 1 frontend',
      'checks/s',
      graph.signatures / one.seconds,
      bound,
      'libsecp256k1 verify loop',
    ),
    row(
      'backend CPU for the whole graph, 1 frontend',
      's',
      one.backendCpu,
      one.seconds,
      'wall time of the run',
    ),
    row('graph validated and stored, 2 frontends', 's', two.seconds, one.seconds, '1 frontend'),
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
