import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openPostgresStore, type Store, startPostgres, type TestPostgres } from '@shoal/store';
import { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from '../src/index.js';
import { Child } from './helpers/child.js';
import { until } from './helpers/wait.js';

const CANDIDATE = fileURLToPath(new URL('./fixtures/candidate.js', import.meta.url));

describe('failover of candidate processes (real etcd, real PostgreSQL)', { timeout: 180_000 }, () => {
  let etcd: TestEtcd;
  let pg: TestPostgres;
  let pgUrl: string;
  let inspect: Etcd3;
  let reader: Store;
  const children: Child[] = [];

  before(async () => {
    etcd = await startEtcd();
    // A frozen leader may hold a transaction open; the server must end it so a successor's
    // claimEpoch (which waits for running writes) is not blocked by it (deploy/postgres README).
    pg = await startPostgres({ settings: { idle_in_transaction_session_timeout: '1000' } });
    pgUrl = await pg.createDatabase('ha_failover');
    inspect = new Etcd3({ hosts: etcd.endpoint });
    reader = await openPostgresStore({ url: pgUrl, poolSize: 1 });
  });
  after(async () => {
    await Promise.allSettled(children.map((c) => c.kill()));
    await reader?.close();
    inspect?.close();
    await pg?.stop();
    await etcd?.stop();
  });

  const candidate = (clusterId: string, id: string) => {
    const c = new Child(CANDIDATE, { endpoint: etcd.endpoint, clusterId, id, pgUrl });
    children.push(c);
    return c;
  };
  const keys = (clusterId: string) => inspect.getAll().prefix(`/shoal/election/${clusterId}/`).count();
  /** Which of `epoch`'s write records are in the database, among seqs 0..n. */
  const present = (epoch: string, n: number) =>
    reader.read(async (tx) => {
      const found: { seq: number; begun: number }[] = [];
      for (let seq = 0; seq <= n; seq++) {
        const v = await tx.meta.get(`w/${epoch}/${seq}`);
        if (v) found.push({ seq, begun: (JSON.parse(Buffer.from(v).toString()) as { begun: number }).begun });
      }
      return found;
    });
  const acked = (c: Child) => c.events.filter((e) => e.ev === 'wrote').map((e) => e.seq as number);

  it('kill -9 of the leader: the follower takes over with a greater epoch; no acknowledged write lost', {
    timeout: 60_000,
  }, async () => {
    const a = candidate('k9', 'a');
    const ea = await a.wait((e) => e.ev === 'elected', 20_000, 'a elected');
    const b = candidate('k9', 'b');
    await until(async () => (await keys('k9')) === 2, 10_000, "b's key");
    await a.wait((e) => e.ev === 'wrote' && (e.seq as number) >= 3, 10_000, 'a writing');
    await a.kill();
    const eb = await b.wait((e) => e.ev === 'elected', 15_000, 'b elected');
    assert.ok(BigInt(eb.epoch as string) > BigInt(ea.epoch as string));
    const ackedA = acked(a);
    const rows = await present(ea.epoch as string, Math.max(...ackedA) + 5);
    for (const seq of ackedA)
      assert.ok(
        rows.some((r) => r.seq === seq),
        `acknowledged write ${seq} present`,
      );
    await b.wait((e) => e.ev === 'wrote', 10_000, 'b writing');
    await b.kill();
  });

  it('SIGSTOP of the leader: the follower takes over; resumed, the old leader reports loss and writes nothing', {
    timeout: 60_000,
  }, async () => {
    const c = candidate('stop', 'c');
    const ec = await c.wait((e) => e.ev === 'elected', 20_000, 'c elected');
    const d = candidate('stop', 'd');
    await until(async () => (await keys('stop')) === 2, 10_000, "d's key");
    await c.wait((e) => e.ev === 'wrote' && (e.seq as number) >= 3, 10_000, 'c writing');
    c.signal('SIGSTOP');
    const ed = await d.wait((e) => e.ev === 'elected', 15_000, 'd elected');
    assert.ok(BigInt(ed.epoch as string) > BigInt(ec.epoch as string));
    await d.wait((e) => e.ev === 'wrote', 10_000, 'd writing');
    c.signal('SIGCONT');
    const lost = await c.wait((e) => e.ev === 'lost', 10_000, 'c reports loss');
    assert.equal(lost.code, 'HA_LEASE_EXPIRED');
    const refused = await c.wait((e) => e.ev === 'refused', 10_000, 'c refuses to write');
    assert.equal(
      refused.code,
      'HA_LEASE_EXPIRED',
      'refused by its own leadership check, before asking the store',
    );
    // Nothing c wrote began after d was elected, and exactly its acknowledged writes are there.
    const ackedC = acked(c);
    const rows = await present(ec.epoch as string, (refused.seq as number) + 5);
    assert.deepEqual(
      rows.map((r) => r.seq),
      ackedC,
    );
    for (const r of rows) assert.ok(r.begun < (ed.at as number), `write ${r.seq} began before d was elected`);
    // Bypassing its leadership check, the store's fencing epoch still refuses the deposed leader.
    c.send('raw-write');
    const raw = await c.wait((e) => e.ev === 'raw', 10_000, 'raw write result');
    assert.equal(raw.ok, false);
    assert.equal(raw.code, 'STORE_STALE_EPOCH');
    await c.kill();
    await d.kill();
  });
});
