/**
 * bench/noise: BOLT 8 transport and the crypto under it, against @node-lightning/noise.
 * Every row measures its baseline in the same run. Both ends of each connection live in this
 * process (one core does all the work), so absolute numbers are lower than across two machines.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import nlNoise from '@node-lightning/noise';
import {
  encryptWithAD,
  hash256,
  nativeSecp256k1,
  nobleSecp256k1,
  randomPrivateKey,
  secp256k1,
} from '@shoal/crypto';
import { connectNoise, createNoiseServer, type NoiseSocket, NoiseTransport } from '@shoal/noise';
import { type BenchRow, opsPerSecond, report, row } from '../lib/report.js';

const MS = Number(process.env.BENCH_MS ?? 2000);
const KIB = Buffer.alloc(1024, 0x5a);

type TheirSocket = ReturnType<typeof nlNoise.connect>;
type TheirServer = ReturnType<typeof nlNoise.createServer>;

interface Endpoints {
  /** Sends `n` 1 KiB messages with back-pressure and resolves when all have been received. */
  pump(n: number): Promise<void>;
  close(): Promise<void>;
}

async function shoalEndpoints(): Promise<Endpoints> {
  const serverKey = randomPrivateKey();
  const server = createNoiseServer({ localStaticKey: serverKey });
  const { port } = await server.listen();
  const acceptedP = once(server, 'connection') as Promise<[NoiseSocket]>;
  const client = await connectNoise({
    host: '127.0.0.1',
    port,
    localStaticKey: randomPrivateKey(),
    remoteStaticKey: secp256k1.publicKeyCreate(serverKey),
  });
  const [accepted] = await acceptedP;
  let received = 0;
  let target = 0;
  let done: () => void = () => {};
  accepted.on('message', () => {
    if (++received === target) done();
  });
  return {
    async pump(n) {
      received = 0;
      target = n;
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      for (let i = 0; i < n; i++) if (!client.write(KIB)) await once(client, 'drain');
      await finished;
    },
    async close() {
      client.destroy();
      accepted.destroy();
      await server.close();
    },
  };
}

async function theirEndpoints(): Promise<Endpoints> {
  const ls = randomPrivateKey();
  let accepted: TheirSocket | undefined;
  let readyResolve: (s: TheirSocket) => void = () => {};
  const ready = new Promise<TheirSocket>((resolve) => {
    readyResolve = resolve;
  });
  const server: TheirServer = nlNoise.createServer({ ls }, (s) => {
    accepted = s;
    s.once('ready', () => readyResolve(s));
  });
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = nlNoise.connect({
    ls: randomPrivateKey(),
    rpk: secp256k1.publicKeyCreate(ls),
    host: '127.0.0.1',
    port,
  });
  await once(client, 'ready');
  const their = await ready;
  let received = 0;
  let target = 0;
  let done: () => void = () => {};
  their.on('data', () => {
    if (++received === target) done();
  });
  return {
    async pump(n) {
      received = 0;
      target = n;
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      for (let i = 0; i < n; i++) if (!client.write(KIB)) await once(client, 'drain');
      await finished;
    },
    async close() {
      client.destroy();
      accepted?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Messages per second over ~MS, after a warm-up. */
async function messagesPerSecond(make: () => Promise<Endpoints>): Promise<number> {
  const ends = await make();
  try {
    await ends.pump(5000);
    const batch = 20_000;
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < MS) {
      await ends.pump(batch);
      n += batch;
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    }
    return n / (elapsed / 1000);
  } finally {
    await ends.close();
  }
}

/** One handshake (client connect + server accept) per call, `concurrency` at a time. */
async function handshakesPerSecond(kind: 'shoal' | 'theirs', concurrency: number): Promise<number> {
  const ls = randomPrivateKey();
  const rpk = secp256k1.publicKeyCreate(ls);
  // One client node key for all dials, as a node reconnecting to peers has (ephemerals are fresh).
  const clientKey = randomPrivateKey();
  let port: number;
  let stop: () => Promise<void>;
  let accepted = 0;
  let onAccept: () => void = () => {};
  if (kind === 'shoal') {
    const server = createNoiseServer({ localStaticKey: ls }, (s) => {
      accepted++;
      onAccept();
      s.destroy();
    });
    port = (await server.listen()).port;
    stop = () => server.close();
  } else {
    const server = nlNoise.createServer({ ls }, (s) => {
      s.on('error', () => {});
      s.once('ready', () => {
        accepted++;
        onAccept();
        s.destroy();
      });
    });
    server.listen({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const one = async (): Promise<void> => {
    if (kind === 'shoal') {
      const s = await connectNoise({
        host: '127.0.0.1',
        port,
        localStaticKey: clientKey,
        remoteStaticKey: rpk,
      });
      s.destroy();
    } else {
      const s = nlNoise.connect({ ls: clientKey, rpk, host: '127.0.0.1', port });
      s.on('error', () => {});
      await once(s, 'ready');
      s.destroy();
    }
  };
  let completed = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(MS) * 1_000_000n;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (process.hrtime.bigint() < deadline) {
        await one();
        completed++;
      }
    }),
  );
  // Count a handshake once both sides have finished it.
  while (accepted < completed) await new Promise<void>((resolve) => (onAccept = resolve));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await stop();
  return completed / seconds;
}

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  const nl = '@node-lightning/noise 0.26.1';

  // Interleaved rounds, best of each: other processes load this 2-core machine unevenly.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const best = { ourMsgs: 0, theirMsgs: 0, ourSeq: 0, theirSeq: 0, ourConc: 0, theirConc: 0 };
  for (let r = 0; r < rounds; r++) {
    best.ourMsgs = Math.max(best.ourMsgs, await messagesPerSecond(shoalEndpoints));
    best.theirMsgs = Math.max(best.theirMsgs, await messagesPerSecond(theirEndpoints));
    best.ourSeq = Math.max(best.ourSeq, await handshakesPerSecond('shoal', 1));
    best.theirSeq = Math.max(best.theirSeq, await handshakesPerSecond('theirs', 1));
    best.ourConc = Math.max(best.ourConc, await handshakesPerSecond('shoal', 16));
    best.theirConc = Math.max(best.theirConc, await handshakesPerSecond('theirs', 16));
  }
  rows.push(
    row(
      '1 KiB messages through one connection, both ends in one process',
      'msgs/s',
      best.ourMsgs,
      best.theirMsgs,
      nl,
    ),
  );
  rows.push(
    row('handshakes, sequential (TCP connect + acts 1-3)', 'handshakes/s', best.ourSeq, best.theirSeq, nl),
  );
  rows.push(row('handshakes, 16 concurrent', 'handshakes/s', best.ourConc, best.theirConc, nl));

  const tx = new NoiseTransport({
    sendingKey: randomBytes(32),
    receivingKey: randomBytes(32),
    chainingKey: randomBytes(32),
  });
  const key = randomBytes(32);
  const nonce = Buffer.alloc(12);
  const framesPerSecond = await opsPerSecond(() => tx.encrypt(KIB), MS, 1000);
  const rawPerSecond = await opsPerSecond(
    () => {
      const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      c.update(KIB);
      c.final();
      return c.getAuthTag();
    },
    MS,
    1000,
  );
  rows.push(
    row(
      'BOLT 8 frame encrypt (length + 1 KiB body) vs one raw 1 KiB encrypt',
      'ops/s',
      framesPerSecond,
      rawPerSecond,
      'node:crypto chacha20-poly1305 (limit)',
    ),
  );
  rows.push(
    row(
      'encryptWithAD 1 KiB vs raw cipher',
      'ops/s',
      await opsPerSecond(() => encryptWithAD(key, 1, Buffer.alloc(0), KIB), MS, 1000),
      rawPerSecond,
      'node:crypto chacha20-poly1305 (limit)',
    ),
  );

  const native = nativeSecp256k1 ?? nobleSecp256k1;
  const priv = randomPrivateKey();
  const pub = native.publicKeyCreate(priv);
  const digest = hash256(randomBytes(32));
  const sig = native.sign(digest, priv);
  const other = native.publicKeyCreate(randomPrivateKey());
  rows.push(
    row(
      `secp256k1 verify (${native.backend} vs noble)`,
      'ops/s',
      await opsPerSecond(() => native.verify(sig, digest, pub), MS, 100),
      await opsPerSecond(() => nobleSecp256k1.verify(sig, digest, pub), MS, 10),
      '@noble/secp256k1 3.2.0',
    ),
  );
  rows.push(
    row(
      `secp256k1 ECDH (${native.backend} vs noble)`,
      'ops/s',
      await opsPerSecond(() => native.ecdh(other, priv), MS, 100),
      await opsPerSecond(() => nobleSecp256k1.ecdh(other, priv), MS, 10),
      '@noble/secp256k1 3.2.0',
    ),
  );

  report('noise', rows);
}

await main();
