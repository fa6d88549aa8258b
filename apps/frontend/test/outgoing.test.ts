import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import { PATHS } from '@shoal/front-protocol';
import { createNoiseServer, type NoiseServer, type NoiseSocket } from '@shoal/noise';
import { encodeMessage } from '@shoal/wire';
import { usesProxy } from '../src/index.js';
import {
  type FrontendHandle,
  freePort,
  OUR_FEATURES,
  pollUntil,
  REGTEST,
  startFrontend,
  TestBackend,
  TestPeer,
  waitReady,
} from './harness.js';

/** A minimal SOCKS5 proxy (RFC 1928, no authentication, CONNECT only) that records destinations. */
async function socks5Proxy(): Promise<{ server: Server; port: number; destinations: string[] }> {
  const destinations: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let buf = Buffer.alloc(0);
    let stage: 'greeting' | 'request' | 'piping' = 'greeting';
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      if (stage === 'greeting') {
        if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
        assert.equal(buf[0], 5);
        buf = buf.subarray(2 + buf[1]!);
        client.write(Buffer.from([5, 0]));
        stage = 'request';
      }
      if (stage === 'request') {
        if (buf.length < 5) return;
        const atyp = buf[3]!;
        const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
        if (buf.length < 4 + addrLen + 2) return;
        const addr =
          atyp === 1
            ? [...buf.subarray(4, 8)].join('.')
            : atyp === 3
              ? buf.subarray(5, 5 + buf[4]!).toString()
              : buf.subarray(4, 20).toString('hex');
        const port = buf.readUInt16BE(4 + addrLen);
        const rest = buf.subarray(4 + addrLen + 2);
        destinations.push(`${addr}:${port}`);
        stage = 'piping';
        client.off('data', onData);
        client.pause();
        const upstream = netConnect({ host: addr, port }, () => {
          client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
          if (rest.length > 0) upstream.write(rest);
          client.pipe(upstream).pipe(client);
          client.resume();
        });
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => {
          client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
        });
      }
    };
    client.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof server.close;
  return { server, port: (server.address() as { port: number }).port, destinations };
}

/** A remote Lightning node the frontend dials. */
async function remoteNode(): Promise<{
  server: NoiseServer;
  port: number;
  nodeId: Buffer;
  conns: NoiseSocket[];
}> {
  const key = randomPrivateKey();
  const conns: NoiseSocket[] = [];
  const server = createNoiseServer({ localStaticKey: key }, (s) => {
    s.on('error', () => {});
    conns.push(s);
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, nodeId: Buffer.from(secp256k1.publicKeyCreate(key)), conns };
}

describe('outgoing connections (ClientSpawner)', { timeout: 60_000 }, () => {
  let backend: TestBackend;
  let fe: FrontendHandle;
  let requestId = 100n;

  before(async () => {
    backend = new TestBackend(await freePort());
    await backend.start();
    fe = await startFrontend(backend.port);
    await waitReady(fe.frontend);
    // The mediator registry has no change event: check it on every turn until it shows the spawner.
    await pollUntil(
      () => backend.member.mediator.registeredPaths().has(PATHS.clientSpawner),
      'the client spawner registration',
    );
  });
  after(async () => {
    await fe?.stop();
    await backend?.stop();
  });

  function request(nodeId: Buffer, port: number, host = '127.0.0.1'): bigint {
    const id = ++requestId;
    backend.member.mediator.send(
      PATHS.clientSpawner,
      backend.proto.connectionRequest.of({ requestId: id, nodeId, host, port, replyTo: backend.ref! }),
      { sender: backend.ref },
    );
    return id;
  }

  it('dials, runs the initiator handshake and the same init flow', { timeout: 15_000 }, async () => {
    const remote = await remoteNode();
    try {
      const id = request(remote.nodeId, remote.port);
      const auth = await backend.waitFor(backend.proto.peerAuthenticated, (v) => v.requestId === id);
      assert.equal(auth.outgoing, true);
      assert.deepEqual(Buffer.from(auth.nodeId), remote.nodeId);
      assert.equal(auth.remoteAddress, `127.0.0.1:${remote.port}`);
      assert.equal(remote.conns.length, 1);
      const peer = new TestPeer(remote.conns[0]!);
      await peer.take(16);
      peer.write(
        encodeMessage({
          type: 'init',
          globalFeatures: new Uint8Array(0),
          features: OUR_FEATURES,
          tlvs: { networks: [REGTEST], unknown: [] },
        }),
      );
      await backend.waitFor(backend.proto.connectionReady, (v) =>
        Buffer.from(v.nodeId).equals(remote.nodeId),
      );
    } finally {
      await remote.server.close();
    }
  });

  it('answers ConnectionFailed when the dial fails', { timeout: 15_000 }, async () => {
    const id = request(Buffer.from(secp256k1.publicKeyCreate(randomPrivateKey())), await freePort());
    const failed = await backend.waitFor(backend.proto.connectionFailed, (v) => v.requestId === id);
    assert.match(failed.reason, /cannot connect to 127\.0\.0\.1:\d+/);
  });

  it('answers ConnectionFailed when the remote has another node id', { timeout: 15_000 }, async () => {
    const remote = await remoteNode();
    try {
      const id = request(Buffer.from(secp256k1.publicKeyCreate(randomPrivateKey())), remote.port);
      const failed = await backend.waitFor(backend.proto.connectionFailed, (v) => v.requestId === id);
      assert.ok(failed.reason.length > 0);
    } finally {
      await remote.server.close();
    }
  });

  it('dials through a SOCKS5 proxy when socks5 is enabled', { timeout: 20_000 }, async () => {
    const proxy = await socks5Proxy();
    const remote = await remoteNode();
    const viaProxy = await startFrontend(backend.port, {
      socks5: {
        enabled: true,
        host: '127.0.0.1',
        port: proxy.port,
        useForIpv4: true,
        useForIpv6: true,
        useForTor: true,
      },
    });
    try {
      await waitReady(viaProxy.frontend);
      // Ask this frontend's spawner by its ref (the mediator would round-robin over both frontends).
      const id = ++requestId;
      const msg = backend.proto.connectionRequest.of({
        requestId: id,
        nodeId: remote.nodeId,
        host: '127.0.0.1',
        port: remote.port,
        replyTo: backend.ref!,
      });
      backend.member.tell(
        {
          address: viaProxy.frontend.member.address,
          incarnation: viaProxy.frontend.member.incarnation,
          path: '/user/client-spawner',
        },
        msg,
        backend.ref,
      );
      const auth = await backend.waitFor(backend.proto.peerAuthenticated, (v) => v.requestId === id);
      assert.equal(auth.outgoing, true);
      assert.deepEqual(proxy.destinations, [`127.0.0.1:${remote.port}`]);
    } finally {
      await viaProxy.stop();
      await remote.server.close();
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    }
  });

  it('chooses the proxy per address kind', () => {
    const s = { enabled: true, host: 'h', port: 1, useForIpv4: false, useForIpv6: true, useForTor: true };
    assert.equal(usesProxy(s, '1.2.3.4'), false);
    assert.equal(usesProxy(s, '::1'), true);
    assert.equal(usesProxy(s, 'abc.onion'), true);
    assert.equal(usesProxy({ ...s, enabled: false }, 'abc.onion'), false);
    assert.equal(usesProxy(undefined, 'abc.onion'), false);
  });
});
