// Issue 4 end to end: a backend, two frontends and HAProxy as real processes on loopback, driven by
// an independent Lightning peer (@node-lightning/noise + wire) and the backend's HTTP API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nlNoise from '@node-lightning/noise';
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import { REGTEST, TestPeer } from '../lib/peer.js';
import { eventually, freePort, stopAll, type TestProcess } from '../lib/processes.js';
import {
  type BackendProcess,
  type FrontendProcess,
  makeTestNode,
  startBackend,
  startFrontend,
  startHaproxy,
  type TestNode,
} from '../lib/shoal.js';

interface PeerJson {
  nodeId: string;
  state: string;
  frontend?: string;
}

async function peerState(backend: BackendProcess, nodeId: string): Promise<PeerJson | undefined> {
  const { status, body } = await backend.api('peers');
  assert.equal(status, 200, `peers answered ${status}: ${JSON.stringify(body)}`);
  return (body as PeerJson[]).find((p) => p.nodeId === nodeId);
}

function openChannel(): Parameters<TestPeer['send']>[0] {
  const point = () => secp256k1.publicKeyCreate(randomPrivateKey());
  return {
    type: 'open_channel',
    chainHash: REGTEST,
    temporaryChannelId: Buffer.alloc(32, 7),
    fundingSatoshis: 100_000n,
    pushMsat: 0n,
    dustLimitSatoshis: 546n,
    maxHtlcValueInFlightMsat: 100_000_000n,
    channelReserveSatoshis: 1_000n,
    htlcMinimumMsat: 1n,
    feeratePerKw: 253,
    toSelfDelay: 144,
    maxAcceptedHtlcs: 30,
    fundingPubkey: point(),
    revocationBasepoint: point(),
    paymentBasepoint: point(),
    delayedPaymentBasepoint: point(),
    htlcBasepoint: point(),
    firstPerCommitmentPoint: point(),
    channelFlags: 0,
    tlvs: { unknown: [] },
  };
}

describe('front/back split behind HAProxy', { timeout: 240_000 }, () => {
  let node: TestNode;
  let backend: BackendProcess;
  let fronts: FrontendProcess[];
  let lbPort: number;
  let lb: TestProcess;
  const peer = new TestPeer();

  /** Connects the peer through HAProxy (retrying while HAProxy still routes to a dead frontend) and does init. */
  async function connectThroughLb(): Promise<void> {
    await eventually(
      'peer connects through HAProxy',
      async () => {
        await peer.connect('127.0.0.1', lbPort, node.nodeId);
        await peer.exchangeInit();
        return true;
      },
      20_000,
      200,
    );
  }

  before(async () => {
    node = await makeTestNode();
    backend = await startBackend(node);
    fronts = [
      await startFrontend('front1', node, backend.clusterPort),
      await startFrontend('front2', node, backend.clusterPort),
    ];
    ({ proc: lb, port: lbPort } = await startHaproxy(fronts));
  });

  after(async () => {
    peer.close();
    await stopAll();
    node?.cleanup();
  });

  it('1. a peer connects through HAProxy: handshake, init, ping/pong; peers shows it CONNECTED with its frontend; BOLT 2 reaches the backend and its answer comes back', async () => {
    await connectThroughLb();
    await peer.ping(12);
    const state = await eventually('peer CONNECTED', async () => {
      const p = await peerState(backend, peer.nodeId);
      return p?.state === 'CONNECTED' ? p : undefined;
    });
    assert.ok(
      fronts.some((f) => state.frontend === `127.0.0.1:${f.clusterPort}`),
      `frontend field ${state.frontend} names one of the frontends`,
    );
    peer.send(openChannel());
    const error = await peer.nextOf('error');
    assert.deepEqual(
      Buffer.from(error.channelId),
      Buffer.alloc(32, 7),
      'the error names the temporary channel id',
    );
  });

  it('2. kill -9 of the frontend holding the peer: DISCONNECTED within 3 s, the peer reconnects through HAProxy onto the other frontend', async () => {
    const held = (await peerState(backend, peer.nodeId))?.frontend;
    const victim = fronts.find((f) => held === `127.0.0.1:${f.clusterPort}`);
    assert.ok(victim, 'the holding frontend is known');
    const killedAt = Date.now();
    victim.proc.kill('SIGKILL');
    await eventually(
      'peer DISCONNECTED',
      async () => {
        const p = await peerState(backend, peer.nodeId);
        return p?.state === 'DISCONNECTED' ? true : undefined;
      },
      3_000,
      50,
    );
    assert.ok(Date.now() - killedAt <= 3_000);
    await peer.closed;
    await connectThroughLb();
    const survivor = fronts.find((f) => f !== victim);
    const again = await eventually('peer CONNECTED again', async () => {
      const p = await peerState(backend, peer.nodeId);
      return p?.state === 'CONNECTED' ? p : undefined;
    });
    assert.equal(again.frontend, `127.0.0.1:${survivor?.clusterPort}`);
  });

  it('3. connect through the API: a frontend dials a node-lightning server; with no frontend up the call fails clearly', async () => {
    const serverKey = randomPrivateKey();
    const serverId = secp256k1.publicKeyCreate(serverKey).toString('hex');
    const port = await freePort();
    const sockets: ReturnType<typeof nlNoise.connect>[] = [];
    const server = nlNoise.createServer({ ls: serverKey }, (socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
      socket.on('data', () => {});
      // Our init as soon as the handshake is done (BOLT 1: each side sends init first).
      socket.once('ready', () => socket.write(initBytes()));
    });
    await new Promise<void>((resolve) => server.listen({ port, host: '127.0.0.1' }, () => resolve()));
    try {
      const res = await backend.api('connect', { uri: `${serverId}@127.0.0.1:${port}` });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const p = await eventually('dialled peer CONNECTED', async () => {
        const s = await peerState(backend, serverId);
        return s?.state === 'CONNECTED' ? s : undefined;
      });
      assert.ok(p.frontend);

      for (const f of fronts) await f.proc.stop();
      const none = await eventually('connect refused with no frontend', async () => {
        const r = await backend.api('connect', { uri: `${serverId}@127.0.0.1:${port}` });
        return r.status >= 400 ? r : undefined;
      });
      assert.match(JSON.stringify(none.body), /no frontend/i);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('4. kill -9 of the backend: frontends close their peers and go not-ready, then re-register by themselves when it is back', async () => {
    fronts = [
      await startFrontend('front1', node, backend.clusterPort),
      await startFrontend('front2', node, backend.clusterPort),
    ];
    await lb.stop();
    ({ proc: lb, port: lbPort } = await startHaproxy(fronts));
    await connectThroughLb();
    const pids = fronts.map((f) => f.proc.child.pid);
    backend.proc.kill('SIGKILL');
    await backend.proc.exited();
    await peer.closed;
    await eventually('frontends not ready', async () =>
      (await Promise.all(fronts.map((f) => f.ready()))).every((r) => !r) ? true : undefined,
    );
    backend = await startBackend(node, { clusterPort: backend.clusterPort, apiPort: backend.apiPort });
    await eventually(
      'frontends ready again',
      async () => ((await Promise.all(fronts.map((f) => f.ready()))).every((r) => r) ? true : undefined),
      20_000,
    );
    await connectThroughLb();
    await peer.ping();
    await eventually('peer CONNECTED after backend restart', async () =>
      (await peerState(backend, peer.nodeId))?.state === 'CONNECTED' ? true : undefined,
    );
    assert.deepEqual(
      fronts.map((f) => f.proc.child.pid),
      pids,
      'no frontend restarted',
    );
    assert.ok(fronts.every((f) => f.proc.child.exitCode === null));
  });

  it('5. a frontend with a wrong NODE_PUB_KEY, a missing cluster certificate or a bad config key refuses to start, saying so', async () => {
    const wrongKey = secp256k1.publicKeyCreate(randomPrivateKey()).toString('hex');
    const cases: { name: string; env?: NodeJS.ProcessEnv; args?: string[]; expect: RegExp }[] = [
      { name: 'wrong-key', env: { NODE_PUB_KEY: wrongKey }, expect: new RegExp(wrongKey) },
      { name: 'no-cert', args: [`--cluster.tls.file=${node.dir}/missing.p12`], expect: /missing\.p12/ },
      { name: 'bad-key', args: ['--no.such-key=1'], expect: /no\.such-key/ },
    ];
    for (const c of cases) {
      const f = await startFrontend(`bad-${c.name}`, node, backend.clusterPort, {
        env: c.env,
        args: c.args,
        waitReady: false,
      });
      const { code } = await f.proc.exited(20_000);
      assert.notEqual(code, 0, `${c.name}: exit code`);
      assert.match(f.proc.output(), c.expect, `${c.name}: message`);
    }
  });
});

/** A minimal `init` (type 16, no features, networks = regtest). */
function initBytes(): Buffer {
  return Buffer.concat([Buffer.from('0010000000000120', 'hex'), REGTEST]);
}
