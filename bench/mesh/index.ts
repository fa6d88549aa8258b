/**
 * Mesh throughput and request/response latency vs raw ws over the same mutual TLS 1.3, both ends
 * in one process (two ClusterMembers on 127.0.0.1; the raw baseline is one https+ws server and one
 * client with the same certificate). Numbers are noisy: 2 cores shared with other work.
 */
import { createServer } from 'node:https';
import { performance } from 'node:perf_hooks';
import {
  ClusterMember,
  type ClusterTls,
  CodecRegistry,
  generateClusterCertificate,
  rawBytesCodec,
  silentLogger,
} from '@shoal/cluster';
import { WebSocket, WebSocketServer } from 'ws';
import { report, row } from '../lib/report.js';

const N = 100_000;
const PAYLOAD = Buffer.alloc(1024, 7);
const RTTS = 3000;

const cc = generateClusterCertificate();
const tls: ClusterTls = { cert: cc.certPem, key: cc.keyPem, ca: cc.certPem };

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

async function rawWs(): Promise<{ rate: number; p50: number; p99: number }> {
  const server = createServer({ ...tls, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1 << 20 });
  let received = 0;
  let onCount: () => void = () => {};
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1)
        ws.send(data); // echo for the latency part
      else if (++received === N) onCount();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const ws = new WebSocket(`wss://127.0.0.1:${port}/`, {
    ...tls,
    checkServerIdentity: (() => undefined) as unknown as () => boolean,
    perMessageDeflate: false,
  });
  await new Promise<void>((r) => ws.once('open', () => r()));
  const done = new Promise<void>((r) => {
    onCount = r;
  });
  const t0 = performance.now();
  let queued = 0;
  let waiter: (() => void) | undefined;
  for (let i = 0; i < N; i++) {
    queued += PAYLOAD.length;
    ws.send(PAYLOAD, () => {
      queued -= PAYLOAD.length;
      if (waiter !== undefined && queued <= 512 * 1024) {
        const w = waiter;
        waiter = undefined;
        w();
      }
    });
    if (queued >= 1024 * 1024) await new Promise<void>((r) => (waiter = r));
  }
  await done;
  const rate = N / ((performance.now() - t0) / 1000);
  const ping = Buffer.concat([Buffer.from([1]), PAYLOAD.subarray(1)]);
  const lat: number[] = [];
  for (let i = 0; i < RTTS; i++) {
    const s = performance.now();
    await new Promise<void>((r) => {
      ws.once('message', () => r());
      ws.send(ping);
    });
    lat.push(performance.now() - s);
  }
  ws.terminate();
  for (const c of wss.clients) c.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  return { rate, p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function mesh(): Promise<{ rate: number; p50: number; p99: number }> {
  const mk = (port: number, seeds: string[]) => {
    const codecs = new CodecRegistry();
    const bytes = codecs.register<Uint8Array>(1, 'bench.bytes', rawBytesCodec.encode, rawBytesCodec.decode);
    const m = new ClusterMember(
      { logger: silentLogger, codecs },
      { host: '127.0.0.1', port, roles: ['bench'], seedNodes: seeds, tls, protocolVersion: 1 },
    );
    return { m, bytes };
  };
  const a = mk(0, []);
  await a.m.start();
  const b = mk(0, [a.m.address]);
  const up = new Promise<void>((r) => a.m.once('member-up', () => r()));
  await b.m.start();
  await up;
  let received = 0;
  let onCount: () => void = () => {};
  const sink = a.m.spawn('sink', {
    initialState: 0,
    handle: (s, msg, ctx) => {
      if (a.bytes.is(msg) && msg.value[0] === 1) ctx.reply(msg);
      else if (++received === N) onCount();
      return s;
    },
  });
  a.m.mediator.put('/sink', sink);
  while (!b.m.mediator.registeredPaths().has('/sink')) await new Promise<void>((r) => setImmediate(r));
  const done = new Promise<void>((r) => {
    onCount = r;
  });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    if (!b.m.mediator.send('/sink', b.bytes.of(PAYLOAD))) {
      await new Promise<void>((r) => b.m.once('drain', () => r()));
    }
  }
  await done;
  const rate = N / ((performance.now() - t0) / 1000);
  const ping = b.bytes.of(Buffer.concat([Buffer.from([1]), PAYLOAD.subarray(1)]));
  const lat: number[] = [];
  for (let i = 0; i < RTTS; i++) {
    const s = performance.now();
    await b.m.ask({ path: '/sink' }, ping, 5000);
    lat.push(performance.now() - s);
  }
  await b.m.stop();
  await a.m.stop();
  return { rate, p50: pct(lat, 50), p99: pct(lat, 99) };
}

// Interleaved rounds, best of each, to damp the noise of a shared 2-core machine.
const ROUNDS = 3;
const raws: Awaited<ReturnType<typeof rawWs>>[] = [];
const meshes: Awaited<ReturnType<typeof mesh>>[] = [];
for (let i = 0; i < ROUNDS; i++) {
  raws.push(await rawWs());
  meshes.push(await mesh());
}
const best = (xs: { rate: number; p50: number; p99: number }[]) => ({
  rate: Math.max(...xs.map((x) => x.rate)),
  p50: Math.min(...xs.map((x) => x.p50)),
  p99: Math.min(...xs.map((x) => x.p99)),
});
const raw = best(raws);
const ours = best(meshes);
console.log(
  `rounds: raw ${raws.map((r) => r.rate.toFixed(0)).join(' ')} msg/s; mesh ${meshes.map((r) => r.rate.toFixed(0)).join(' ')} msg/s`,
);
console.log(
  `raw p50 ${raw.p50.toFixed(3)} ms, mesh p50 ${ours.p50.toFixed(3)} ms, added ${(ours.p50 - raw.p50).toFixed(3)} ms`,
);
report('mesh', [
  row(
    '1 KiB messages member-to-member (one process, both ends, best of 3)',
    'msg/s',
    ours.rate,
    raw.rate,
    'raw ws, mutual TLS 1.3',
  ),
  row('request/response p50 (1 KiB, sequential)', 'ms', ours.p50, raw.p50, 'raw ws echo, mutual TLS 1.3'),
  row('request/response p99 (1 KiB, sequential)', 'ms', ours.p99, raw.p99, 'raw ws echo, mutual TLS 1.3'),
]);
