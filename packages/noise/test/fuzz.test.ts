import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import { createNoiseServer, Handshake, NoiseError, NoiseTransport } from '../src/index.js';

const SEED = Number(process.env.NOISE_FUZZ_SEED ?? 0x5eed);

/** mulberry32: a small seeded PRNG so a failing case can be replayed with NOISE_FUZZ_SEED. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n;
  };
}

type Rand = (n: number) => number;
const int = (r: Rand, n: number): number => Math.floor(r(n));

function randomBytesFrom(r: Rand, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

/** Flips 1-3 bits, truncates, extends or overwrites a byte run; always returns different bytes. */
function mutate(r: Rand, input: Buffer): Buffer {
  const kind = int(r, 4);
  if (kind === 0 && input.length > 0) return input.subarray(0, int(r, input.length));
  if (kind === 1) return Buffer.concat([input, randomBytesFrom(r, 1 + int(r, 8))]);
  const out = Buffer.from(input);
  if (kind === 2) {
    const bits = 1 + int(r, 3);
    const flipped = new Set<number>();
    while (flipped.size < bits) flipped.add(int(r, out.length * 8));
    for (const bit of flipped) out[bit >> 3]! ^= 1 << (bit & 7);
    return out;
  }
  const at = int(r, out.length);
  const len = 1 + int(r, Math.min(8, out.length - at));
  for (let i = at; i < at + len; i++) out[i] = (out[i]! + 1 + int(r, 255)) & 0xff;
  return out;
}

function expectNoiseError(fn: () => unknown, what: string): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof NoiseError, `${what}: threw ${String(err)}`);
    return err.code;
  }
  assert.fail(`${what}: accepted a bad input`);
}

const serverKey = Buffer.alloc(32, 0x21);
const clientKey = Buffer.alloc(32, 0x11);
const serverPub = secp256k1.publicKeyCreate(serverKey);
const responderE = Buffer.alloc(32, 0x22);

/** A valid act one / act three pair for the fixed keys above. */
function validActs(): { act1: Buffer; act3: Buffer } {
  const i = Handshake.initiator({
    localStaticKey: clientKey,
    remoteStaticKey: serverPub,
    ephemeralKey: Buffer.alloc(32, 0x12),
  });
  const act1 = i.writeAct1();
  const act2 = Handshake.responder({ localStaticKey: serverKey, ephemeralKey: responderE }).readAct1(act1);
  return { act1, act3: i.readAct2(act2) };
}

describe('fuzz: responder state machine', { timeout: 60_000 }, () => {
  it('100k random and mutated acts and frames all end in a NoiseError', () => {
    const r = prng(SEED);
    const { act1, act3 } = validActs();
    const codes = new Map<string, number>();
    const count = (code: string): void => void codes.set(code, (codes.get(code) ?? 0) + 1);
    let cases = 0;
    const responder = () => Handshake.responder({ localStaticKey: serverKey, ephemeralKey: responderE });

    // Act one: random bytes (half with a valid version and key prefix, to reach ECDH and the MAC).
    for (let i = 0; i < 25_000; i++, cases++) {
      const m = randomBytesFrom(r, i % 10 === 0 ? int(r, 100) : 50);
      if (i % 2 === 0 && m.length > 1) {
        m[0] = 0;
        m[1] = 2 + int(r, 2);
      }
      count(expectNoiseError(() => responder().readAct1(m), `random act1 #${i}`));
    }
    // Act one: mutations of the valid act.
    for (let i = 0; i < 25_000; i++, cases++) {
      const m = mutate(r, act1);
      count(expectNoiseError(() => responder().readAct1(m), `mutated act1 #${i}`));
    }
    // Act three: mutations and random bytes after a valid act one.
    for (let i = 0; i < 10_000; i++, cases++) {
      const hs = responder();
      hs.readAct1(act1);
      const m = i % 5 === 0 ? randomBytesFrom(r, 66) : mutate(r, act3);
      count(expectNoiseError(() => hs.readAct3(m), `act3 #${i}`));
      // A failed handshake stays failed.
      assert.equal(
        expectNoiseError(() => hs.readAct3(act3), 'reuse after failure'),
        'NOISE_BAD_STATE',
      );
    }
    // Transport frames: mutated valid frames and random bytes.
    const keys = {
      sendingKey: Buffer.alloc(32, 1),
      receivingKey: Buffer.alloc(32, 2),
      chainingKey: Buffer.alloc(32, 3),
    };
    const mirror = {
      sendingKey: keys.receivingKey,
      receivingKey: keys.sendingKey,
      chainingKey: keys.chainingKey,
    };
    for (let i = 0; i < 40_000; i++, cases++) {
      const frame = new NoiseTransport(keys).encrypt(randomBytesFrom(r, int(r, 300)));
      const bad = i % 4 === 0 ? randomBytesFrom(r, 18 + int(r, 400)) : mutate(r, frame);
      const rx = new NoiseTransport(mirror);
      count(
        expectNoiseError(() => {
          const body = rx.decryptLength(bad.subarray(0, 18));
          if (bad.length - 18 !== body) throw new NoiseError('NOISE_SHORT_READ', 'frame length mismatch');
          rx.decryptBody(bad.subarray(18));
        }, `frame #${i}`),
      );
    }
    assert.ok(cases >= 100_000);
    for (const code of ['NOISE_BAD_VERSION', 'NOISE_BAD_KEY', 'NOISE_BAD_MAC', 'NOISE_SHORT_READ']) {
      assert.ok((codes.get(code) ?? 0) > 100, `${code} exercised (${JSON.stringify([...codes])})`);
    }
  });
});

/** Reads exactly `n` bytes from a raw client socket. */
function readExactly(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    const onData = (c: Buffer): void => {
      chunks.push(c);
      have += c.length;
      if (have >= n) {
        cleanup();
        resolve(Buffer.concat(chunks).subarray(0, n));
      }
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('closed before act two'));
    };
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

describe('fuzz: responder over loopback sockets', { timeout: 60_000 }, () => {
  it('3000 hostile connections each end with exactly one NoiseError on the server', async () => {
    const r = prng(SEED + 1);
    const { act1, act3 } = validActs();
    // A generous deadline so real handshakes survive a loaded machine, and a second server with a
    // short one for the peers that go silent.
    const server = createNoiseServer({ localStaticKey: serverKey, handshakeTimeoutMs: 10_000 });
    const quick = createNoiseServer({ localStaticKey: serverKey, handshakeTimeoutMs: 50 });
    const errors: NoiseError[] = [];
    for (const srv of [server, quick]) {
      srv.on('handshakeError', (e) => errors.push(e));
      srv.on('connection', (s) => {
        s.on('error', (e) => errors.push(e));
        s.resume();
      });
    }
    const { port } = await server.listen();
    const quickPort = (await quick.listen()).port;
    const total = Number(process.env.NOISE_FUZZ_SOCKETS ?? 3000);
    let started = 0;
    let timeouts = 0;

    const one = async (i: number): Promise<void> => {
      const silent = i % 5 === 3 && i % 100 === 3;
      const socket = connect(silent ? quickPort : port, '127.0.0.1');
      const closed = once(socket, 'close');
      socket.on('error', () => {}); // resets from the server are expected; the server side is asserted
      await once(socket, 'connect');
      const kind = i % 5;
      if (kind !== 4 && !(kind === 3 && i % 100 !== 3)) socket.resume(); // drain act two so 'close' can fire
      if (kind === 0) socket.end(randomBytesFrom(r, int(r, 200)));
      else if (kind === 1) socket.end(mutate(r, act1));
      else if (kind === 2)
        socket.end(Buffer.concat([act1, i % 10 === 2 ? randomBytesFrom(r, 66) : mutate(r, act3)]));
      else if (silent) {
        // A few peers go silent after a partial act: the handshake deadline must end them.
        timeouts++;
        socket.write(act1.subarray(0, int(r, 50)));
      } else {
        // A real handshake (random keys), then one corrupted or truncated transport frame.
        const hs = Handshake.initiator({ localStaticKey: randomPrivateKey(), remoteStaticKey: serverPub });
        socket.write(hs.writeAct1());
        const a3 = hs.readAct2(await readExactly(socket, 50));
        const frame = new NoiseTransport(hs.result()).encrypt(randomBytesFrom(r, int(r, 100)));
        let bad = mutate(r, frame);
        if (bad.length === 0) bad = frame.subarray(0, 1); // an empty "frame" is a clean close, not bad input
        socket.end(Buffer.concat([a3, bad]));
      }
      await closed;
    };

    const workers = Array.from({ length: 8 }, async () => {
      while (started < total) await one(started++);
    });
    try {
      await Promise.all(workers);
    } finally {
      await Promise.all([server.close(), quick.close()]);
    }
    // Each client saw its connection close, which the server does right after reporting the error.
    assert.equal(errors.length, total, 'one NoiseError per connection');
    assert.ok(errors.every((e) => e instanceof NoiseError));
    const codes = new Set(errors.map((e) => e.code));
    for (const code of ['NOISE_BAD_MAC', 'NOISE_CLOSED', 'NOISE_TIMEOUT'])
      assert.ok(codes.has(code as never), `${code} seen`);
    assert.ok(timeouts > 0);
  });
});
