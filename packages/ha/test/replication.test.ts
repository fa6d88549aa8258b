import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isStoreError, openPostgresStore, type Store } from '@shoal/store';
import pg from 'pg';
import { freePort } from '../src/index.js';

const PGHA = fileURLToPath(new URL('../../../../deploy/postgres/pgha', import.meta.url));

/** Runs `deploy/postgres/pgha` (as the postgres user when we are root: PostgreSQL refuses root). */
function pgha(...args: string[]): Promise<string> {
  const [cmd, argv] =
    process.getuid?.() === 0
      ? ['runuser', ['-u', 'postgres', '--', 'bash', PGHA, ...args]]
      : ['bash', [PGHA, ...args]];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: 90_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`pgha ${args.join(' ')} failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return { uid: Number(uid), gid: Number(gid) };
}

describe('deploy/postgres: synchronous standby, promote, pg_rewind (real PostgreSQL)', {
  timeout: 300_000,
}, () => {
  let dir: string;
  let a: string;
  let b: string;
  let pa: number;
  let pb: number;
  const stores: Store[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-pgha-'));
    const ids = postgresIds();
    if (ids) chownSync(dir, ids.uid, ids.gid);
    a = join(dir, 'a');
    b = join(dir, 'b');
    pa = await freePort();
    pb = await freePort();
  });
  after(async () => {
    await Promise.allSettled(stores.map((s) => s.close()));
    await pgha('stop', a, 'immediate').catch(() => undefined); // may already be down (killed)
    await pgha('stop', b, 'immediate').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('no acknowledged write is lost when the primary is killed; the same store moves to the promoted standby and keeps its epoch', {
    timeout: 280_000,
  }, async () => {
    const common = ['--hba-method', 'trust', '--idle-tx-timeout', '2s'];
    await pgha('init-primary', a, '--port', String(pa), '--name', 'node_a', '--peer', 'node_b', ...common);
    await pgha('start', a);
    await pgha(
      'init-standby',
      b,
      '--port',
      String(pb),
      '--name',
      'node_b',
      '--peer',
      'node_a',
      '--primary',
      `127.0.0.1:${pa}`,
      ...common,
    );
    await pgha('start', b);
    await pgha('wait-sync', `127.0.0.1:${pa}`, 'node_b', '60');
    assert.match(await pgha('status', `127.0.0.1:${pa}`), /^node_b\|streaming\|sync\|/m);
    // Only now: with synchronous_standby_names set, a commit waits until the standby streams.
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${pa}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE shoal');
    await admin.end();

    // The standby is listed first: the store must skip it (read-only) and use the primary.
    const url = `postgres://postgres@127.0.0.1:${pb},127.0.0.1:${pa}/shoal?target_session_attrs=read-write`;
    const store = await openPostgresStore({ url, epoch: 5n, poolSize: 2, onIdleError: () => undefined });
    stores.push(store);
    const acked: number[] = [];
    let stop = false;
    let failure: unknown;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await store.transaction((tx) => tx.meta.put(`k/${i}`, Buffer.from(String(i))));
          acked.push(i);
        } catch (err) {
          failure = err;
          return;
        }
      }
    })();
    while (acked.length < 50 && failure === undefined) await new Promise((r) => setTimeout(r, 5));
    assert.equal(failure, undefined, 'writes succeed while the primary is up');
    const step = (s: string) => process.env.PGHA_DEBUG && process.stderr.write(`step: ${s}\n`);
    step('killing primary');
    stop = true;
    await writer;
    assert.equal(failure, undefined);
    const pid = Number(readFileSync(join(a, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');

    step('promote');
    await pgha('promote', b, '--peer', 'node_a');
    // The same store keeps writing: its next transaction finds the old primary gone, probes the
    // hosts again and moves to the promoted standby. The promoted standby still requires a
    // synchronous standby (node_a), so this commit waits for the rebuilt old primary.
    const during = store
      .transaction((tx) => tx.meta.put('during-failover', Buffer.from('1')))
      .then(
        () => ({ ok: true as const }),
        (e: unknown) => ({ e }),
      );
    step('rewind');
    await pgha(
      'rewind',
      a,
      '--port',
      String(pa),
      '--name',
      'node_a',
      '--peer',
      'node_b',
      '--source',
      `127.0.0.1:${pb}`,
      ...common,
    );
    await pgha('start', a);
    const r = await during;
    if ('e' in r) throw r.e;
    await pgha('wait-sync', `127.0.0.1:${pb}`, 'node_a', '60');
    assert.match(await pgha('status', `127.0.0.1:${pb}`), /^node_a\|streaming\|sync\|/m);

    const missing = await store.read(async (tx) => {
      const lost: number[] = [];
      for (const i of acked) if ((await tx.meta.get(`k/${i}`)) === undefined) lost.push(i);
      return lost;
    });
    assert.deepEqual(missing, [], `acknowledged writes lost: ${missing.join(',')}`);
    assert.equal(await store.databaseEpoch(), 5n, 'the epoch survived the failover');
    await store.transaction((tx) => tx.meta.put('after-failover', Buffer.from('1')));
    // The epoch check holds on the new primary: a successor claims 6, the old store is refused.
    const store2 = await openPostgresStore({ url, epoch: 6n, poolSize: 2, onIdleError: () => undefined });
    stores.push(store2);
    await assert.rejects(
      store.transaction((tx) => tx.meta.put('stale', Buffer.from('1'))),
      (err: unknown) => isStoreError(err, 'STORE_STALE_EPOCH'),
    );
    assert.equal(await store2.read((tx) => tx.meta.get('stale')), undefined);
    await store2.transaction((tx) => tx.meta.put('by-successor', Buffer.from('1')));
    // The rebuilt old primary is a standby: read-only, and it has the write (synchronous).
    const old = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${pa}/shoal` });
    await old.connect();
    try {
      assert.equal((await old.query('SHOW transaction_read_only')).rows[0]?.transaction_read_only, 'on');
    } finally {
      await old.end();
    }
  });
});
