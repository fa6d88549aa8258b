import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import nlNoise from '@node-lightning/noise';
import nlWire from '@node-lightning/wire';
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import { decodeMessage, encodeMessage, type Message, pongLengthFor } from '@shoal/wire';
import { connectNoise, createNoiseServer, type NoiseSocket } from '../src/index.js';
import { collect } from './helpers.js';

type TheirSocket = ReturnType<typeof nlNoise.connect>;

const REGTEST = Buffer.from('06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f', 'hex');

/** Resolves with the next `n` messages from a node-lightning socket (one `data` event each). */
function theirMessages(socket: TheirSocket, n: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onData = (m: Buffer): void => {
      out.push(m);
      if (out.length === n) {
        socket.off('data', onData);
        resolve(out);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function decode(bytes: Buffer): Message {
  return decodeMessage(bytes);
}

/** init both ways, their ping answered by our pong, our ping answered by theirs, then bulk one way. */
async function exchange(ours: NoiseSocket, theirs: TheirSocket, bulk: 'toUs' | 'toThem'): Promise<void> {
  // init: theirs -> ours, built with @node-lightning/wire, parsed with @shoal/wire.
  const theirInit = new nlWire.InitMessage();
  theirInit.chainHashes = [REGTEST];
  const gotInit = collect(ours, 1);
  theirs.write(theirInit.serialize());
  const [initBytes] = await gotInit;
  const init = decode(initBytes as Buffer);
  assert.equal(init.type, 'init');
  assert.ok(!('unknown' in init) && init.type === 'init');
  assert.deepEqual(
    init.tlvs.networks?.map((h) => Buffer.from(h)),
    [REGTEST],
  );

  // init: ours -> theirs.
  const gotTheirInit = theirMessages(theirs, 1);
  ours.write(
    encodeMessage({
      type: 'init',
      globalFeatures: new Uint8Array(0),
      features: new Uint8Array(0),
      tlvs: { networks: [REGTEST], unknown: [] },
    }),
  );
  const parsed = nlWire.InitMessage.deserialize((await gotTheirInit)[0] as Buffer);
  assert.deepEqual(parsed.chainHashes, [REGTEST]);

  // ping from them, pong from us.
  const theirPing = new nlWire.PingMessage();
  theirPing.numPongBytes = 7;
  const gotPing = collect(ours, 1);
  theirs.write(theirPing.serialize());
  const ping = decode((await gotPing)[0] as Buffer);
  assert.ok(ping.type === 'ping' && !('unknown' in ping));
  const pongLength = pongLengthFor(ping);
  assert.equal(pongLength, 7);
  const gotPong = theirMessages(theirs, 1);
  ours.write(
    encodeMessage({ type: 'pong', ignored: new Uint8Array(pongLength ?? 0), tlvs: { unknown: [] } }),
  );
  const pong = nlWire.PongMessage.deserialize((await gotPong)[0] as Buffer);
  assert.equal(pong.ignored.length, 7);

  // ping from us, pong from them.
  const gotOurPing = theirMessages(theirs, 1);
  ours.write(
    encodeMessage({ type: 'ping', numPongBytes: 3, ignored: new Uint8Array(2), tlvs: { unknown: [] } }),
  );
  const theirView = nlWire.PingMessage.deserialize((await gotOurPing)[0] as Buffer);
  assert.equal(theirView.numPongBytes, 3);
  const gotTheirPong = collect(ours, 1);
  theirs.write(new nlWire.PongMessage(theirView.numPongBytes).serialize());
  const ourPong = decode((await gotTheirPong)[0] as Buffer);
  assert.ok(ourPong.type === 'pong' && !('unknown' in ourPong));
  assert.equal(ourPong.ignored.length, 3);

  // Bulk across two key rotations (every 500 messages), sizes up to the maximum, in ONE
  // direction per connection: @node-lightning/noise 0.26.1 keeps a single chaining key for both
  // directions (BOLT 8 says `rck = sck = ck`, two copies), so once both directions have rotated
  // it derives different keys from every conforming peer. See the last test.
  const n = 1200;
  const msgs = Array.from({ length: n }, (_, i) => Buffer.alloc(i === 7 ? 65535 : (i * 37) % 2000, i & 0xff));
  if (bulk === 'toUs') {
    const toUs = collect(ours, n);
    for (const m of msgs) theirs.write(m);
    assert.deepEqual(await toUs, msgs);
  } else {
    const toThem = theirMessages(theirs, n);
    for (const m of msgs) ours.write(m);
    assert.deepEqual(await toThem, msgs);
  }
}

describe('interop with @node-lightning/noise', { timeout: 30_000 }, () => {
  it('their initiator against our responder', async () => {
    const ourKey = randomPrivateKey();
    const theirKey = randomPrivateKey();
    const server = createNoiseServer({ localStaticKey: ourKey });
    const { port } = await server.listen();
    const accepted = once(server, 'connection') as Promise<[NoiseSocket]>;
    const theirs = nlNoise.connect({
      ls: theirKey,
      rpk: secp256k1.publicKeyCreate(ourKey),
      host: '127.0.0.1',
      port,
    });
    try {
      await once(theirs, 'ready');
      const [ours] = await accepted;
      assert.deepEqual(ours.remotePublicKey, secp256k1.publicKeyCreate(theirKey));
      await exchange(ours, theirs, 'toUs');
    } finally {
      theirs.destroy();
      await server.close();
    }
  });

  it('our initiator against their responder', async () => {
    const ourKey = randomPrivateKey();
    const theirKey = randomPrivateKey();
    const theirSockets: TheirSocket[] = [];
    let onReady: (s: TheirSocket) => void = () => {};
    const ready = new Promise<TheirSocket>((resolve) => {
      onReady = resolve;
    });
    const server = nlNoise.createServer({ ls: theirKey }, (s) => {
      theirSockets.push(s);
      s.once('ready', () => onReady(s));
    });
    server.listen({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    let ours: NoiseSocket | undefined;
    try {
      ours = await connectNoise({
        host: '127.0.0.1',
        port,
        localStaticKey: ourKey,
        remoteStaticKey: secp256k1.publicKeyCreate(theirKey),
      });
      const theirs = await ready;
      // Their `rpk` is only set once the handshake is complete ('ready').
      assert.deepEqual(theirs.rpk, secp256k1.publicKeyCreate(ourKey));
      await exchange(ours, theirs, 'toThem');
    } finally {
      ours?.destroy();
      for (const s of theirSockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('known incompatibility: their shared chaining key breaks once both directions rotate', async () => {
    const ourKey = randomPrivateKey();
    const server = createNoiseServer({ localStaticKey: ourKey });
    const { port } = await server.listen();
    const accepted = once(server, 'connection') as Promise<[NoiseSocket]>;
    const theirs = nlNoise.connect({
      ls: randomPrivateKey(),
      rpk: secp256k1.publicKeyCreate(ourKey),
      host: '127.0.0.1',
      port,
    });
    try {
      await once(theirs, 'ready');
      const [ours] = await accepted;
      const one = Buffer.from('x');
      // 500 messages = 1000 nonces: both of their directions rotate from the same ck.
      const toUs = collect(ours, 500);
      for (let i = 0; i < 500; i++) theirs.write(one);
      await toUs;
      const theirError = once(theirs, 'error') as Promise<[Error]>;
      for (let i = 0; i < 501; i++) ours.write(one);
      const [err] = await theirError;
      assert.match(err.message, /authenticate/);
    } finally {
      theirs.destroy();
      await server.close();
    }
  });
});
