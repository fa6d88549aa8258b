import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStoreError, SCHEMA_VERSION, type Store, StoreError, type StoreOptions } from '../src/index.js';
import { repositoryCompliance } from './compliance-repos.js';
import { bytes, channel } from './records.js';

/** What the compliance suite needs from one implementation. */
export interface StoreHarness {
  /** A new, empty database location (a file path or a URL). */
  fresh(): Promise<string>;
  open(location: string, options?: StoreOptions): Promise<Store>;
  /** Runs raw SQL on a location whose store is closed (to tamper with it). */
  exec(location: string, sql: string): Promise<void>;
  /** Whether two stores may be open on one location at once (PostgreSQL: yes; SQLite: locked). */
  concurrentOpen: boolean;
}

const T = { timeout: 30_000 };

/** Shared context of one test: opens a fresh store and closes whatever the test opened. */
export async function withStore(
  h: StoreHarness,
  fn: (store: Store, location: string, open: (o?: { epoch?: bigint }) => Promise<Store>) => Promise<void>,
): Promise<void> {
  const location = await h.fresh();
  const opened: Store[] = [];
  const open = async (o?: { epoch?: bigint }) => {
    const s = await h.open(location, o);
    opened.push(s);
    return s;
  };
  try {
    await fn(await open(), location, open);
  } finally {
    for (const s of opened) await s.close();
  }
}

/** Asserts `promise` rejects with a StoreError of `code` and returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: StoreError['code']): Promise<StoreError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(
      isStoreError(err, code),
      `expected ${code}, got ${err instanceof Error ? `${err.name}: ${err.message}` : err}`,
    );
    return err;
  }
  assert.fail(`expected a ${code} rejection`);
}

/** The interface-compliance suite every {@link Store} implementation must pass. */
export function storeCompliance(name: string, harness: () => StoreHarness): void {
  describe(`Store compliance: ${name}`, () => {
    repositoryCompliance(harness);

    it('opens a fresh database at the current schema version and epoch 0', T, async () => {
      await withStore(harness(), async (store) => {
        assert.equal(store.schemaVersion, SCHEMA_VERSION);
        assert.equal(store.epoch, 0n);
        assert.equal(await store.databaseEpoch(), 0n);
      });
    });

    it('commits a transaction and returns its value; data survives a reopen', T, async () => {
      await withStore(harness(), async (store, _loc, open) => {
        const v = await store.transaction(async (tx) => {
          await tx.channels.put(channel('a', 1n));
          return 42;
        });
        assert.equal(v, 42);
        await store.close();
        const again = await open();
        assert.deepEqual(
          await again.read((tx) => tx.channels.get(channel('a', 1n).channelId)),
          channel('a', 1n),
        );
      });
    });

    it('rolls back every write of a transaction that throws and rethrows the same error', T, async () => {
      await withStore(harness(), async (store) => {
        const boom = new Error('boom');
        const err = await store
          .transaction(async (tx) => {
            await tx.channels.put(channel('a', 1n));
            await tx.meta.put('k', bytes('v'));
            throw boom;
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        assert.equal(err, boom);
        assert.equal(await store.read((tx) => tx.channels.get(channel('a', 1n).channelId)), undefined);
        assert.equal(await store.read((tx) => tx.meta.get('k')), undefined);
        // The store stays usable.
        await store.transaction((tx) => tx.meta.put('k', bytes('v')));
        assert.deepEqual(await store.read((tx) => tx.meta.get('k')), bytes('v'));
      });
    });

    it('a stale channel version inside a transaction rolls back the transaction', T, async () => {
      await withStore(harness(), async (store) => {
        await store.transaction((tx) => tx.channels.put(channel('a', 5n)));
        await rejectsWith(
          store.transaction(async (tx) => {
            await tx.meta.put('before', bytes('x'));
            await tx.channels.put(channel('a', 4n));
          }),
          'STORE_STALE_VERSION',
        );
        assert.equal(await store.read((tx) => tx.meta.get('before')), undefined);
        assert.equal((await store.read((tx) => tx.channels.get(channel('a', 5n).channelId)))?.version, 5n);
      });
    });

    it('refuses writes inside read()', T, async () => {
      await withStore(harness(), async (store) => {
        await assert.rejects(store.read((tx) => tx.meta.put('k', bytes('v'))));
        assert.equal(await store.read((tx) => tx.meta.get('k')), undefined);
      });
    });

    it('fails with STORE_CLOSED after close()', T, async () => {
      await withStore(harness(), async (store) => {
        await store.close();
        await rejectsWith(
          store.transaction((tx) => tx.meta.get('k')),
          'STORE_CLOSED',
        );
        await store.close(); // idempotent
      });
    });

    it('claims epochs: only forward, and a store opened with a stale epoch is refused', T, async () => {
      await withStore(harness(), async (store, _loc, open) => {
        await store.claimEpoch(5n);
        assert.equal(store.epoch, 5n);
        await store.claimEpoch(5n); // re-claiming one's own epoch is allowed
        const err = await rejectsWith(store.claimEpoch(3n), 'STORE_STALE_EPOCH');
        assert.equal(err.meta.databaseEpoch, '5');
        assert.equal(store.epoch, 5n);
        await store.transaction((tx) => tx.meta.put('k', bytes('v')));
        await store.close();
        await rejectsWith(open({ epoch: 4n }), 'STORE_STALE_EPOCH');
        const adopted = await open();
        assert.equal(adopted.epoch, 5n);
        await adopted.close();
        const next = await open({ epoch: 6n });
        assert.equal(await next.databaseEpoch(), 6n);
      });
    });

    it('rejects a write from a deposed epoch with STORE_STALE_EPOCH and writes nothing', T, async (t) => {
      const h = harness();
      if (!h.concurrentOpen) {
        t.diagnostic(
          'single-writer backend: the exclusive file lock is its fence (see the locked-file test)',
        );
      }
      await withStore(h, async (old, _loc, open) => {
        await old.claimEpoch(1n);
        await old.transaction((tx) => tx.meta.put('k', bytes('old')));
        if (h.concurrentOpen) {
          const leader = await open({ epoch: 2n });
          const err = await rejectsWith(
            old.transaction((tx) => tx.meta.put('k', bytes('stale'))),
            'STORE_STALE_EPOCH',
          );
          assert.deepEqual(StoreError.fromJSON(err.toJSON()).toJSON(), err.toJSON());
          assert.deepEqual(await leader.read((tx) => tx.meta.get('k')), bytes('old'));
          await leader.transaction((tx) => tx.meta.put('k', bytes('new')));
        } else {
          // Same fence, one process at a time: the old leader comes back with its old epoch.
          await old.close();
          await (await open({ epoch: 2n })).close();
          await rejectsWith(open({ epoch: 1n }), 'STORE_STALE_EPOCH');
        }
      });
    });

    it('reports each transaction to the injected metrics', T, async () => {
      const h = harness();
      const seen: [string, number, string][] = [];
      const s = await h.open(await h.fresh(), {
        metrics: { transaction: (kind, seconds, outcome) => seen.push([kind, seconds, outcome]) },
      });
      try {
        seen.length = 0;
        await s.transaction((tx) => tx.channels.put(channel('m', 2n)));
        await rejectsWith(
          s.transaction((tx) => tx.channels.put(channel('m', 1n))),
          'STORE_STALE_VERSION',
        );
        await s.read((tx) => tx.meta.get('x'));
        assert.deepEqual(
          seen.map(([kind, , outcome]) => [kind, outcome]),
          [
            ['write', 'ok'],
            ['write', 'STORE_STALE_VERSION'],
            ['read', 'ok'],
          ],
        );
        assert.ok(seen.every(([, seconds]) => seconds >= 0 && seconds < 30));
      } finally {
        await s.close();
      }
    });

    it('refuses a database marked with a newer schema version, with a clear message', T, async () => {
      const h = harness();
      const loc = await h.fresh();
      await (await h.open(loc)).close();
      await h.exec(
        loc,
        `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${SCHEMA_VERSION + 1}, 'future', 0)`,
      );
      const err = await rejectsWith(h.open(loc), 'STORE_SCHEMA_TOO_NEW');
      assert.match(
        err.message,
        new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer than this Shoal supports`),
      );
      assert.equal(err.meta.found, SCHEMA_VERSION + 1);
      assert.equal(err.meta.supported, SCHEMA_VERSION);
    });

    it('reopening at the same version applies no migration twice', T, async () => {
      const h = harness();
      const loc = await h.fresh();
      for (let i = 0; i < 3; i++) await (await h.open(loc)).close();
      const s = await h.open(loc);
      await s.close();
      // A duplicate would have failed on the schema_migrations primary key or on CREATE TABLE.
      assert.equal(s.schemaVersion, SCHEMA_VERSION);
    });
  });
}
