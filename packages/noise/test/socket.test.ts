import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import {
  acceptNoise,
  connectNoise,
  createNoiseServer,
  Handshake,
  initiateNoise,
  NoiseError,
  NoiseTransport,
} from '../src/index.js';
import { collect, connectedPair } from './helpers.js';

const isNoise = (code: string) => (e: unknown) => e instanceof NoiseError && e.code === code;

/** A plain TCP server whose accepted sockets are handed to the test. */
async function rawServer(): Promise<{ server: Server; port: number; next: () => Promise<Socket> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return { server, port, next: async () => ((await once(server, 'connection')) as [Socket])[0] };
}

describe('NoiseSocket over loopback', { timeout: 30_000 }, () => {
  it('handshakes, authenticates both keys and exchanges messages both ways', async () => {
    const p = await connectedPair();
    try {
      assert.deepEqual(p.dialed.remotePublicKey, secp256k1.publicKeyCreate(p.serverKey));
      assert.deepEqual(p.accepted.remotePublicKey, secp256k1.publicKeyCreate(p.clientKey));
      const sizes = [0, 1, 2, 1000, 65535];
      const toServer = sizes.map((n) => randomBytes(n));
      const toClient = sizes.map((n) => randomBytes(n));
      const gotServer = collect(p.accepted, sizes.length);
      const gotClient = collect(p.dialed, sizes.length);
      for (const m of toServer) p.dialed.write(m);
      for (const m of toClient) p.accepted.write(m);
      assert.deepEqual(await gotServer, toServer);
      assert.deepEqual(await gotClient, toClient);
      assert.throws(() => p.dialed.write(Buffer.alloc(65536)), isNoise('NOISE_MESSAGE_TOO_LARGE'));
    } finally {
      await p.close();
    }
  });

  it('keeps order across several key rotations (2500 messages)', async () => {
    const p = await connectedPair();
    try {
      const msgs = Array.from({ length: 2500 }, (_, i) => Buffer.from(`message ${i}`));
      const got = collect(p.accepted, msgs.length);
      for (const m of msgs) p.dialed.write(m);
      assert.deepEqual(await got, msgs);
    } finally {
      await p.close();
    }
  });

  it('a wrong remote static key fails on both sides with typed errors', async () => {
    const serverKey = randomPrivateKey();
    const server = createNoiseServer({ localStaticKey: serverKey });
    const { port } = await server.listen();
    try {
      const failed = once(server, 'handshakeError') as Promise<[NoiseError]>;
      const dial = connectNoise({
        host: '127.0.0.1',
        port,
        localStaticKey: randomPrivateKey(),
        remoteStaticKey: secp256k1.publicKeyCreate(randomPrivateKey()),
      });
      await assert.rejects(dial, isNoise('NOISE_CLOSED'));
      const [err] = await failed;
      assert.equal(err.code, 'NOISE_BAD_MAC');
      assert.equal(server.handshakeFailures, 1);
    } finally {
      await server.close();
    }
  });

  it('a silent peer hits NOISE_TIMEOUT; a closing peer NOISE_CLOSED; a refused dial NOISE_SOCKET_ERROR', async () => {
    const raw = await rawServer();
    try {
      const silent = connect(raw.port, '127.0.0.1');
      const s1 = await raw.next();
      await assert.rejects(
        acceptNoise(s1, { localStaticKey: randomPrivateKey(), handshakeTimeoutMs: 50 }),
        isNoise('NOISE_TIMEOUT'),
      );
      silent.destroy();
      const closer = connect(raw.port, '127.0.0.1');
      const s2 = await raw.next();
      const accepting = acceptNoise(s2, { localStaticKey: randomPrivateKey() });
      closer.end(Buffer.alloc(10));
      await assert.rejects(accepting, isNoise('NOISE_CLOSED'));
    } finally {
      raw.server.close();
    }
    await assert.rejects(
      connectNoise({
        host: '127.0.0.1',
        port: raw.port,
        localStaticKey: randomPrivateKey(),
        remoteStaticKey: secp256k1.publicKeyCreate(randomPrivateKey()),
      }),
      isNoise('NOISE_SOCKET_ERROR'),
    );
  });

  it('messages sent in the same packet as act three are delivered; a bad frame MAC is NOISE_BAD_MAC', async () => {
    const serverKey = randomPrivateKey();
    const raw = await rawServer();
    const client = connect(raw.port, '127.0.0.1');
    try {
      const s = await raw.next();
      const accepting = acceptNoise(s, { localStaticKey: serverKey });
      const hs = Handshake.initiator({
        localStaticKey: randomPrivateKey(),
        remoteStaticKey: secp256k1.publicKeyCreate(serverKey),
      });
      client.write(hs.writeAct1());
      const [act2] = (await once(client, 'data')) as [Buffer];
      const act3 = hs.readAct2(act2);
      const transport = new NoiseTransport(hs.result());
      const good = transport.encrypt(Buffer.from('first'));
      const bad = transport.encrypt(Buffer.from('tampered'));
      bad[bad.length - 1]! ^= 1;
      client.write(Buffer.concat([act3, good, bad]));
      const noise = await accepting;
      const first = once(noise, 'message');
      const error = once(noise, 'error') as Promise<[NoiseError]>;
      assert.deepEqual((await first)[0], Buffer.from('first'));
      assert.equal((await error)[0].code, 'NOISE_BAD_MAC');
      await once(noise, 'close');
      assert.throws(() => noise.write(Buffer.from('x')), isNoise('NOISE_CLOSED'));
    } finally {
      client.destroy();
      raw.server.close();
    }
  });

  it('an invalid ephemeral key rejects with NOISE_BAD_KEY and destroys the socket', async () => {
    const raw = await rawServer();
    const client = connect(raw.port, '127.0.0.1');
    try {
      await once(client, 'connect');
      await assert.rejects(
        initiateNoise(client, {
          localStaticKey: randomPrivateKey(),
          remoteStaticKey: secp256k1.publicKeyCreate(randomPrivateKey()),
          ephemeralKey: Buffer.alloc(32),
          handshakeTimeoutMs: 60_000,
        }),
        isNoise('NOISE_BAD_KEY'),
      );
      assert.equal(client.destroyed, true);
    } finally {
      client.destroy();
      raw.server.close();
    }
  });

  it('destroy() in a message listener stops delivery of frames already buffered', async () => {
    const serverKey = randomPrivateKey();
    const raw = await rawServer();
    const client = connect(raw.port, '127.0.0.1');
    try {
      const s = await raw.next();
      const accepting = acceptNoise(s, { localStaticKey: serverKey });
      const hs = Handshake.initiator({
        localStaticKey: randomPrivateKey(),
        remoteStaticKey: secp256k1.publicKeyCreate(serverKey),
      });
      client.write(hs.writeAct1());
      const [act2] = (await once(client, 'data')) as [Buffer];
      const act3 = hs.readAct2(act2);
      const transport = new NoiseTransport(hs.result());
      const frames = ['one', 'two', 'three'].map((m) => transport.encrypt(Buffer.from(m)));
      client.write(Buffer.concat([act3, ...frames]));
      const noise = await accepting;
      const got: string[] = [];
      noise.on('message', (m) => {
        got.push(m.toString());
        noise.destroy();
      });
      await once(noise, 'close');
      assert.deepEqual(got, ['one']);
    } finally {
      client.destroy();
      raw.server.close();
    }
  });

  it('the socket is already destroyed when a fatal error is emitted', async () => {
    const serverKey = randomPrivateKey();
    const raw = await rawServer();
    const client = connect(raw.port, '127.0.0.1');
    try {
      const s = await raw.next();
      const accepting = acceptNoise(s, { localStaticKey: serverKey });
      const hs = Handshake.initiator({
        localStaticKey: randomPrivateKey(),
        remoteStaticKey: secp256k1.publicKeyCreate(serverKey),
      });
      client.write(hs.writeAct1());
      const [act2] = (await once(client, 'data')) as [Buffer];
      const act3 = hs.readAct2(act2);
      const bad = new NoiseTransport(hs.result()).encrypt(Buffer.from('x'));
      bad[0]! ^= 1;
      client.write(Buffer.concat([act3, bad]));
      const noise = await accepting;
      const destroyedAtError = new Promise<boolean>((resolve) =>
        noise.once('error', () => resolve(noise.socket.destroyed)),
      );
      noise.resume();
      assert.equal(await destroyedAtError, true);
    } finally {
      client.destroy();
      raw.server.close();
    }
  });

  it('a peer closing mid-frame is NOISE_CLOSED', async () => {
    const p = await connectedPair();
    try {
      // Fewer bytes than a length header, then EOF.
      const frame = Buffer.alloc(10);
      const error = once(p.accepted, 'error') as Promise<[NoiseError]>;
      p.accepted.resume();
      p.dialed.socket.end(frame);
      assert.equal((await error)[0].code, 'NOISE_CLOSED');
    } finally {
      await p.close();
    }
  });

  it('pause() stops TCP reads so a slow consumer pushes back on the sender', async () => {
    const p = await connectedPair();
    try {
      p.accepted.pause();
      const count = 256;
      const big = Buffer.alloc(65535, 7);
      let full = false;
      for (let i = 0; i < count; i++) if (!p.dialed.write(big)) full = true;
      assert.ok(full, 'write() must report a full buffer');
      let received = 0;
      p.accepted.on('message', () => received++);
      // Let the event loop run I/O for a while: nothing may be delivered or read beyond a bound.
      for (let i = 0; i < 50; i++) await new Promise<void>((r) => setImmediate(r));
      assert.equal(received, 0, 'no message while paused');
      assert.equal(p.accepted.socket.isPaused(), true, 'TCP socket paused');
      const total = count * (65535 + 34);
      assert.ok(
        p.accepted.socket.bytesRead < 1024 * 1024,
        `read ${p.accepted.socket.bytesRead} of ${total} bytes while paused`,
      );
      assert.ok(p.dialed.writableLength > 0, 'sender keeps the rest buffered');
      const drained = once(p.dialed, 'drain');
      const all = new Promise<void>((resolve) =>
        p.accepted.on('message', () => received === count && resolve()),
      );
      p.accepted.resume();
      await all;
      await drained;
      assert.equal(received, count);
    } finally {
      await p.close();
    }
  });

  it('errors serialise to JSON and back', () => {
    const e = new NoiseError('NOISE_BAD_VERSION', 'v', { act: 1 });
    const back = NoiseError.fromJSON(JSON.parse(JSON.stringify(e)));
    assert.equal(back.code, 'NOISE_BAD_VERSION');
    assert.deepEqual(back.meta, { act: 1 });
  });
});
