import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { expandHosts, openPostgresStore, startPostgres, type TestPostgres } from '../src/index.js';
import { rejectsWith, type StoreHarness, storeCompliance } from './compliance.js';
import { bytes } from './records.js';

let server: TestPostgres | undefined;
let n = 0;

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const harness: StoreHarness = {
  fresh: () => {
    assert.ok(server, 'PostgreSQL is not running');
    return server.createDatabase(`shoal_${process.pid}_${++n}`);
  },
  open: (url, o) => openPostgresStore({ url, poolSize: 2, ...o }),
  exec: sql,
  concurrentOpen: true,
};

before(
  async () => {
    server = await startPostgres();
  },
  { timeout: 60_000 },
);
after(
  async () => {
    await server?.stop();
  },
  { timeout: 60_000 },
);

storeCompliance('postgres', () => harness);

describe('PostgreSQL specifics', () => {
  const T = { timeout: 30_000 };

  it('splits libpq multi-host URLs and drops target_session_attrs', () => {
    assert.deepEqual(
      expandHosts('postgres://u:p@h1:5432,h2:5433/db?target_session_attrs=read-write&sslmode=disable'),
      ['postgres://u:p@h1:5432/db?sslmode=disable', 'postgres://u:p@h2:5433/db?sslmode=disable'],
    );
    assert.deepEqual(expandHosts('postgres://h/db'), ['postgres://h/db']);
  });

  it('uses the first host that accepts writes (target_session_attrs=read-write)', T, async () => {
    assert.ok(server);
    const ro = await harness.fresh();
    const rw = await harness.fresh();
    await sql(server.url, `ALTER DATABASE ${ro.split('/').pop()} SET default_transaction_read_only = on`);
    // An unreachable host, then a read-only one, then the writable one.
    const dead = `postgres://postgres@127.0.0.1:1/${rw.split('/').pop()}`;
    const store = await openPostgresStore({ url: [dead, ro, rw], connectTimeoutMs: 2000 });
    try {
      await store.transaction((tx) => tx.meta.put('k', bytes('v')));
    } finally {
      await store.close();
    }
    const check = await openPostgresStore({ url: rw });
    try {
      assert.deepEqual(await check.read((tx) => tx.meta.get('k')), bytes('v'));
    } finally {
      await check.close();
    }
  });

  it('a host that accepts TCP but never answers does not delay finding the writable one', T, async (t) => {
    const rw = await harness.fresh();
    // Holds every connection open in silence, as a powered-off or partitioned host would.
    const sockets = new Set<Socket>();
    const silent = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    t.after(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const port = (silent.address() as AddressInfo).port;
    // A connect timeout far beyond this test's own: probing one host after the other would time out.
    const store = await openPostgresStore({
      url: [`postgres://postgres@127.0.0.1:${port}/x`, rw],
      connectTimeoutMs: 120_000,
    });
    try {
      await store.transaction((tx) => tx.meta.put('k', bytes('v')));
    } finally {
      await store.close();
    }
  });

  it(
    'after a "promotion" the same store moves to the newly writable host and keeps fencing there',
    T,
    async () => {
      assert.ok(server);
      const a = await harness.fresh();
      const b = await harness.fresh();
      const name = (u: string): string => u.split('/').pop() ?? '';
      // b: same schema and epoch, read-only (a standby).
      const prep = await openPostgresStore({ url: b, epoch: 7n });
      await prep.close();
      await sql(server.url, `ALTER DATABASE ${name(b)} SET default_transaction_read_only = on`);
      const store = await openPostgresStore({ url: [a, b], epoch: 7n, poolSize: 2 });
      try {
        await store.transaction((tx) => tx.meta.put('before', bytes('a')));
        // "Promotion": a turns read-only and its sessions are cut; b becomes writable.
        await sql(server.url, `ALTER DATABASE ${name(a)} SET default_transaction_read_only = on`);
        await sql(server.url, `ALTER DATABASE ${name(b)} SET default_transaction_read_only = off`);
        await sql(
          server.url,
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name(a)}'`,
        );
        // Failed before BEGIN completed on a (gone, then read-only): retried on b.
        await store.transaction((tx) => tx.meta.put('after', bytes('b')));
        const onB = await openPostgresStore({ url: b });
        try {
          assert.deepEqual(await onB.read((tx) => tx.meta.get('after')), bytes('b'));
          // The fencing check holds on the new host: a successor claims 8, the old store is refused.
          await onB.claimEpoch(8n);
          await rejectsWith(
            store.transaction((tx) => tx.meta.put('stale', bytes('x'))),
            'STORE_STALE_EPOCH',
          );
          assert.equal(await onB.read((tx) => tx.meta.get('stale')), undefined);
        } finally {
          await onB.close();
        }
      } finally {
        await store.close();
      }
    },
  );

  it('no writable host is STORE_UNAVAILABLE naming each failure', T, async () => {
    const ro = await harness.fresh();
    assert.ok(server);
    await sql(server.url, `ALTER DATABASE ${ro.split('/').pop()} SET default_transaction_read_only = on`);
    const err = await rejectsWith(
      openPostgresStore({ url: ['postgres://postgres@127.0.0.1:1/x', ro], connectTimeoutMs: 2000 }),
      'STORE_UNAVAILABLE',
    );
    assert.match(err.message, /read-only/);
    assert.match(err.message, /127\.0\.0\.1:1/);
  });

  it(
    'a connection killed in the middle of a transaction fails that transaction, not the process',
    T,
    async () => {
      const url = await harness.fresh();
      const store = await openPostgresStore({ url, poolSize: 1 });
      const uncaught: unknown[] = [];
      const onUncaught = (err: unknown): void => {
        uncaught.push(err);
      };
      process.on('uncaughtException', onUncaught);
      try {
        let entered!: () => void;
        const inside = new Promise<void>((r) => {
          entered = r;
        });
        const write = store.transaction(async (tx) => {
          entered();
          // Killed by the server while this transaction holds its connection.
          await sql(
            url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction'",
          );
          await tx.meta.put('k', bytes('lost'));
        });
        await inside;
        await assert.rejects(write);
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(uncaught, [], 'no uncaught exception from the pooled connection');
        // The pool replaces the dead connection: the store keeps working.
        await store.transaction((tx) => tx.meta.put('k', bytes('after')));
        assert.deepEqual(await store.read((tx) => tx.meta.get('k')), bytes('after'));
      } finally {
        process.off('uncaughtException', onUncaught);
        await store.close();
      }
    },
  );

  it('a claim waits for running writes of the old epoch, which then commit', T, async () => {
    const url = await harness.fresh();
    const old = await openPostgresStore({ url, epoch: 1n });
    const next = await openPostgresStore({ url });
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let entered!: () => void;
      const inside = new Promise<void>((r) => {
        entered = r;
      });
      const write = old.transaction(async (tx) => {
        entered();
        await gate;
        await tx.meta.put('k', bytes('old'));
      });
      await inside;
      let claimed = false;
      const claim = next.claimEpoch(2n).then(() => {
        claimed = true;
      });
      // The claim cannot finish while the old epoch's transaction holds the share lock.
      const probe = await next.databaseEpoch();
      assert.equal(probe, 1n);
      assert.equal(claimed, false);
      release();
      await write;
      await claim;
      assert.equal(await next.databaseEpoch(), 2n);
      await rejectsWith(
        old.transaction((tx) => tx.meta.put('k', bytes('late'))),
        'STORE_STALE_EPOCH',
      );
      assert.deepEqual(await next.read((tx) => tx.meta.get('k')), bytes('old'));
    } finally {
      await old.close();
      await next.close();
    }
  });
});
