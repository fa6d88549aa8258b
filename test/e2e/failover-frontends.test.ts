// Issue 7, "frontends follow the leader": etcd, PostgreSQL, two etcd-elected backends, two
// frontends listing both backends as seeds, and a peer (node-lightning's BOLT 8 and init). After
// kill -9 of the leader, the frontend that held the peer closes its connection, reports not-ready,
// and without restarting lets the same peer reconnect and finish `init` with the new leader.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type HaCluster, startHaCluster } from '../lib/ha-cluster.js';
import { TestPeer } from '../lib/peer.js';
import { eventually, withTimeout } from '../lib/processes.js';
import { startFrontend } from '../lib/shoal.js';

interface PeerRow {
  nodeId: string;
  state: string;
}

describe('frontends follow the leader (etcd, PostgreSQL, 2 backends, 2 frontends, a peer)', {
  timeout: 180_000,
}, () => {
  let c: HaCluster;
  before(async () => {
    c = await startHaCluster({ ttl: '2s' });
  });
  after(async () => {
    await c?.stop();
  });

  it('kill -9 of the leader: the peer reconnects through the same frontend and finishes init with the new leader', {
    timeout: 120_000,
  }, async (t) => {
    const leader = await c.waitLeader(30_000);
    const standby = c.backends.find((b) => b !== leader);
    assert.ok(standby !== undefined);
    assert.equal(await standby.state(), 'WAITING_TO_START');
    const front = c.fronts[0]!;
    const pids = c.fronts.map((f) => f.proc.child.pid);
    await eventually('frontends ready', async () => ((await c.frontsReady()) ? true : undefined), 30_000);

    const peer = new TestPeer();
    t.after(() => peer.socket?.destroy());
    await peer.connect('127.0.0.1', front.port, c.node.nodeId);
    await peer.exchangeInit();
    const connectedOn = async (b: typeof leader): Promise<true | undefined> => {
      const r = await b.api('peers', {}, 2_000).catch(() => undefined);
      const rows = r?.status === 200 ? (r.body as PeerRow[]) : [];
      return rows.some((p) => p.nodeId === peer.nodeId && p.state === 'CONNECTED') || undefined;
    };
    await eventually('the peer connected on the leader', () => connectedOn(leader), 10_000);

    const killedAt = Date.now();
    leader.proc.child.kill('SIGKILL');
    // The frontend closes the connection it held for the dead leader's Peer...
    await withTimeout(peer.closed, 15_000, 'the frontend did not close the peer connection');
    const closedMs = Date.now() - killedAt;
    // ...and is not ready until the new leader's switchboard is registered.
    await front.proc.waitFor(/"msg":"frontend not ready"/, 10_000);

    // The same peer reconnects through the same frontend until init completes with the new leader.
    const reconnectedMs = await eventually(
      'the peer reconnected and finished init with the new leader',
      async () => {
        try {
          await peer.connect('127.0.0.1', front.port, c.node.nodeId);
          await peer.exchangeInit();
          await peer.ping();
          return Date.now() - killedAt;
        } catch {
          peer.socket?.destroy();
          return undefined;
        }
      },
      30_000,
      200,
    );
    await eventually('the peer connected on the new leader', () => connectedOn(standby), 10_000);
    assert.ok(await standby.serves(), 'the new leader serves the API');
    t.diagnostic(
      `peer connection closed ${closedMs} ms after kill -9; init done with the new leader after ${reconnectedMs} ms (TTL 2 s)`,
    );
    // The frontends never restarted.
    assert.deepEqual(
      c.fronts.map((f) => f.proc.child.pid),
      pids,
    );
    for (const f of c.fronts) assert.equal(f.proc.child.exitCode, null, `${f.name} still runs`);
    assert.ok(await front.ready(), 'the frontend is ready again');
  });

  it('SIGSTOP of the leader: a frontend whose failure detector would wait 30 s drops it as soon as the new leader joins; the peer reconnects; the frozen one exits 75 when resumed', {
    timeout: 120_000,
  }, async (t) => {
    // The backend killed by the previous test comes back as the standby.
    const dead = c.backends.find((b) => b.proc.child.exitCode !== null || b.proc.child.signalCode !== null);
    if (dead !== undefined) await c.restart(dead);
    const leader = await c.waitLeader(30_000);
    const standby = c.backends.find((b) => b !== leader)!;
    await eventually(
      'the standby waiting',
      async () => ((await standby.state()) === 'WAITING_TO_START' ? true : undefined),
      30_000,
    );
    const front = await startFrontend(
      'front3',
      c.node,
      c.backends.map((b) => b.clusterPort),
      {
        env: { SHOAL_TEST_VERBOSE: undefined },
        args: ['--cluster.failure-detector.threshold=30s'],
      },
    );
    const pids = c.fronts.map((f) => f.proc.child.pid);
    const peer = new TestPeer();
    t.after(() => peer.socket?.destroy());
    await peer.connect('127.0.0.1', front.port, c.node.nodeId);
    await peer.exchangeInit();
    const connectedOn = async (b: typeof leader): Promise<true | undefined> => {
      const r = await b.api('peers', {}, 2_000).catch(() => undefined);
      const rows = r?.status === 200 ? (r.body as PeerRow[]) : [];
      return rows.some((p) => p.nodeId === peer.nodeId && p.state === 'CONNECTED') || undefined;
    };
    await eventually('the peer connected on the leader', () => connectedOn(leader), 10_000);

    const frozenAt = Date.now();
    leader.proc.kill('SIGSTOP');
    t.after(() => leader.proc.kill('SIGCONT'));
    await withTimeout(peer.closed, 20_000, 'the frontend did not close the peer connection');
    const closedMs = Date.now() - frozenAt;
    assert.match(front.proc.output(), /"msg":"backend superseded by a newer one: closing its connections"/);
    const reconnectedMs = await eventually(
      'the peer reconnected and finished init with the new leader',
      async () => {
        try {
          await peer.connect('127.0.0.1', front.port, c.node.nodeId);
          await peer.exchangeInit();
          await peer.ping();
          return Date.now() - frozenAt;
        } catch {
          peer.socket?.destroy();
          return undefined;
        }
      },
      20_000,
      200,
    );
    await eventually('the peer connected on the new leader', () => connectedOn(standby), 10_000);
    t.diagnostic(
      `SIGSTOP: peer connection closed after ${closedMs} ms, init with the new leader after ${reconnectedMs} ms (frontend threshold 30 s, TTL 2 s)`,
    );
    // Resumed, the old leader sees its lease deadline passed and exits at once.
    leader.proc.kill('SIGCONT');
    const exit = await leader.proc.exited(15_000);
    assert.equal(exit.code, 75);
    assert.match(leader.proc.output(), /"msg":"leadership lost: stopping at once"/);
    assert.deepEqual(
      c.fronts.map((f) => f.proc.child.pid),
      pids,
    );
    assert.equal(front.proc.child.exitCode, null);
  });
});
