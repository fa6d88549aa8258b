import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, startEtcd, type TestEtcd } from '@shoal/ha';
import { startPostgres, type TestPostgres } from '@shoal/store';
import pg from 'pg';
import {
  api,
  cleanup,
  eventually,
  type HaChild,
  haDatadirs,
  logLines,
  startHaChild,
} from './failover-lib.js';

// Issue 7 milestone 1 with real processes: etcd and PostgreSQL started here, two backend
// processes with `cluster.leader-elector = etcd` on one database.

const EXIT_LEADERSHIP_LOST = 75;
/** The failover target: a new leader serves the API within 5 s of the old one's death. */
const FAILOVER_TARGET_MS = 5_000;

describe('backend failover (etcd + PostgreSQL, two backend processes)', { timeout: 180_000 }, () => {
  let etcd: TestEtcd;
  let postgres: TestPostgres;
  before(async () => {
    etcd = await startEtcd();
    postgres = await startPostgres();
  });
  after(async () => {
    await etcd?.stop();
    await postgres?.stop();
  });

  test('one leads, the other waits; kill -9 of the leader: the other serves; a changed epoch stops it without writing', {
    timeout: 150_000,
  }, async (t) => {
    const url = await postgres.createDatabase('failover_a');
    const dirs = await haDatadirs(2);
    const children: HaChild[] = [];
    t.after(() => cleanup(children, dirs));
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const [apiA, apiB, meshA, meshB] = ports as [number, number, number, number];
    const common = {
      etcd: etcd.endpoint,
      pgHosts: `127.0.0.1:${postgres.port}`,
      database: 'failover_a',
      seeds: [`127.0.0.1:${meshA}`, `127.0.0.1:${meshB}`],
    };
    const a = startHaChild({
      ...common,
      name: 'backend-a',
      dir: dirs[0]!,
      apiPort: apiA,
      clusterPort: meshA,
    });
    children.push(a);
    // A leads first: B starts once A serves, so the roles are known.
    const infoA = await eventually(
      'backend-a serving getinfo',
      async () => {
        const r = await api(apiA, 'getinfo');
        return r?.status === 200 && (r.json as { nodeId?: string }).nodeId !== undefined ? r.json : undefined;
      },
      60_000,
      a,
    );
    const nodeId = (infoA as { nodeId: string }).nodeId;
    const b = startHaChild({
      ...common,
      name: 'backend-b',
      dir: dirs[1]!,
      apiPort: apiB,
      clusterPort: meshB,
    });
    children.push(b);
    const waiting = await eventually(
      'backend-b answering WAITING_TO_START with the leader',
      async () => {
        const r = await api(apiB, 'getinfo');
        const j = r?.json as { state?: string; leader?: string } | undefined;
        return j?.state === 'WAITING_TO_START' && j.leader !== undefined ? j : undefined;
      },
      30_000,
      b,
    );
    assert.match(String(waiting.leader), /^backend-a \(epoch \d+, mesh 127\.0\.0\.1:\d+\)$/);
    assert.deepEqual((await api(apiB, 'v1/state'))?.json, {
      state: 'WAITING_TO_START',
      leader: waiting.leader,
    });
    const refused = await api(apiB, 'peers');
    assert.equal(refused?.status, 503);
    assert.match(
      String((refused?.json as { error?: string } | undefined)?.error),
      /WAITING_TO_START.*use the active backend: backend-a/,
    );
    assert.equal(logLines(b, 'backend following').length, 1);
    assert.equal(logLines(b, 'backend started').length, 0, 'the follower never started its backend');

    // The leader's `cluster` call names it, with its epoch; the store's epoch is the same.
    const cluster = (await api(apiA, 'cluster'))?.json as {
      leader: { id: string; epoch: string; elector: string };
      members: { address: string; roles: string[] }[];
    };
    assert.equal(cluster.leader.id, 'backend-a');
    assert.equal(cluster.leader.elector, 'etcd');
    const epochA = BigInt(cluster.leader.epoch);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    t.after(() => db.end());
    const dbEpoch = async (): Promise<bigint> =>
      BigInt(
        (await db.query<{ epoch: string }>('SELECT epoch::text AS epoch FROM fencing WHERE id = 1')).rows[0]!
          .epoch,
      );
    assert.equal(await dbEpoch(), epochA);
    // The follower is on the mesh, but only as a standby: never a backend.
    await eventually(
      'the standby seen on the mesh',
      async () => {
        const c = (await api(apiA, 'cluster'))?.json as typeof cluster;
        return (
          c.members.some((m) => m.address === `127.0.0.1:${meshB}` && m.roles.join() === 'standby') ||
          undefined
        );
      },
      10_000,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${apiA}/metrics`)).text();
    assert.match(metrics, /^shoal_leader\{[^}]*\} 1$/m);
    assert.match(metrics, /^shoal_leader_epoch\{[^}]*\} [1-9]\d*$/m);
    assert.match(metrics, /^shoal_store_transaction_seconds_count\{[^}]*op="write"[^}]*\} [1-9]\d*$/m);
    const standbyMetrics = await (await fetch(`http://127.0.0.1:${apiB}/metrics`)).text();
    assert.match(standbyMetrics, /^shoal_leader\{[^}]*\} 0$/m);

    // A persistent peer in the store, so that B has something to delete later.
    const peerId = `02${'ab'.repeat(32)}`;
    await db.query(
      `INSERT INTO peers (node_id, features, created_at) VALUES ('\\x${peerId}'::bytea, '\\x'::bytea, 0)`,
    );

    // kill -9 of the leader: B takes over and serves getinfo.
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await a.exit;
    const tookMs = await eventually(
      'backend-b serving getinfo',
      async () => {
        const r = await api(apiB, 'getinfo');
        return r?.status === 200 && (r.json as { nodeId?: string }).nodeId === nodeId
          ? Date.now() - killedAt
          : undefined;
      },
      30_000,
      b,
    );
    t.diagnostic(`backend-b served ${tookMs} ms after kill -9 of backend-a (TTL 2 s)`);
    assert.ok(tookMs <= FAILOVER_TARGET_MS, `took over in ${tookMs} ms, target ${FAILOVER_TARGET_MS} ms`);
    const at = (msg: string): number => Date.parse(String(logLines(b, msg).at(-1)?.time)) - killedAt;
    t.diagnostic(
      `backend-b log: elected +${at('backend elected leader')} ms, started +${at('backend started')} ms`,
    );
    const elected = logLines(b, 'backend elected leader');
    assert.equal(elected.length, 1);
    const epochB = BigInt(String(elected[0]!.epoch));
    assert.ok(epochB > epochA, 'a new, greater epoch');
    assert.equal(await dbEpoch(), epochB);
    assert.equal(((await api(apiB, 'v1/state'))?.json as { state?: string } | undefined)?.state, 'RUNNING');

    // The epoch changes behind the running leader (another backend claimed): its next write is
    // refused by the database, it stops at once with the leadership-lost exit code, and the
    // peer it was asked to forget is still there.
    await db.query('UPDATE fencing SET epoch = epoch + 1000 WHERE id = 1');
    await api(apiB, 'disconnect', { nodeId: peerId });
    assert.equal(await b.exit, EXIT_LEADERSHIP_LOST);
    const lost = logLines(b, 'leadership lost: stopping at once');
    assert.equal(lost.length, 1);
    assert.equal(lost[0]!.reason, 'HA_FENCED');
    const rows = await db.query('SELECT 1 FROM peers WHERE node_id = $1', [Buffer.from(peerId, 'hex')]);
    assert.equal(rows.rowCount, 1, 'the refused delete wrote nothing');
    assert.equal(await dbEpoch(), epochB + 1000n);
  });

  test('etcd down when a backend starts: it waits as a follower, then leads once etcd is back', {
    timeout: 90_000,
  }, async (t) => {
    await postgres.createDatabase('failover_b');
    const dirs = await haDatadirs(1);
    const children: HaChild[] = [];
    t.after(() => cleanup(children, dirs));
    await etcd.kill();
    const [apiPort, clusterPort] = (await Promise.all([freePort(), freePort()])) as [number, number];
    const c = startHaChild({
      name: 'backend-c',
      dir: dirs[0]!,
      etcd: etcd.endpoint,
      pgHosts: `127.0.0.1:${postgres.port}`,
      database: 'failover_b',
      apiPort,
      clusterPort,
    });
    children.push(c);
    await eventually(
      'the follower retrying etcd',
      async () =>
        logLines(c, 'cannot watch the leader on etcd; retrying in 1 s').length > 0 ? true : undefined,
      30_000,
      c,
    );
    assert.deepEqual((await api(apiPort, 'getinfo'))?.json, { state: 'WAITING_TO_START' });
    await etcd.restart();
    await eventually(
      'backend-c serving getinfo once etcd is back',
      async () => {
        const r = await api(apiPort, 'getinfo');
        return r?.status === 200 && (r.json as { nodeId?: string }).nodeId !== undefined ? true : undefined;
      },
      30_000,
      c,
    );
    assert.equal(logLines(c, 'backend elected leader').length, 1);
  });

  test('SIGTERM: the leader stops, resigns and exits 0, the follower takes over at once; a follower exits 0 too', {
    timeout: 90_000,
  }, async (t) => {
    await postgres.createDatabase('failover_c');
    const dirs = await haDatadirs(3);
    const children: HaChild[] = [];
    t.after(() => cleanup(children, dirs));
    const ports = (await Promise.all(Array.from({ length: 6 }, () => freePort()))) as number[];
    const common = { etcd: etcd.endpoint, pgHosts: `127.0.0.1:${postgres.port}`, database: 'failover_c' };
    const start = (i: number, name: string): HaChild => {
      const c = startHaChild({
        ...common,
        name,
        dir: dirs[i]!,
        apiPort: ports[2 * i]!,
        clusterPort: ports[2 * i + 1]!,
      });
      children.push(c);
      return c;
    };
    const serving = (c: HaChild) =>
      eventually(
        `${c.name} serving getinfo`,
        async () => {
          const r = await api(c.apiPort, 'getinfo');
          return r?.status === 200 && (r.json as { nodeId?: string }).nodeId !== undefined ? true : undefined;
        },
        30_000,
        c,
      );
    const waiting = (c: HaChild) =>
      eventually(
        `${c.name} waiting`,
        async () =>
          ((await api(c.apiPort, 'v1/state'))?.json as { state?: string } | undefined)?.state ===
            'WAITING_TO_START' || undefined,
        30_000,
        c,
      );
    const d = start(0, 'backend-d');
    await serving(d);
    const e = start(1, 'backend-e');
    await waiting(e);
    const stoppedAt = Date.now();
    d.child.kill('SIGTERM');
    assert.equal(await d.exit, 0);
    await serving(e);
    t.diagnostic(
      `backend-e served ${Date.now() - stoppedAt} ms after SIGTERM of backend-d (resigned; TTL 2 s)`,
    );
    assert.equal(logLines(d, 'leadership lost: stopping at once').length, 0, 'a graceful stop is not a loss');
    assert.equal(logLines(d, 'backend stopped').length, 1);
    const f = start(2, 'backend-f');
    await waiting(f);
    f.child.kill('SIGTERM');
    assert.equal(await f.exit, 0);
    assert.equal(logLines(f, 'backend started').length, 0);
    assert.equal(logLines(e, 'leadership lost: stopping at once').length, 0, 'the leader was not disturbed');
  });
});
