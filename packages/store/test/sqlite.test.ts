import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/index.js';
import { rejectsWith, type StoreHarness, storeCompliance } from './compliance.js';
import { bytes, channel } from './records.js';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.js', import.meta.url));
let dir = '';
let n = 0;
const harness: StoreHarness = {
  fresh: async () => join(dir, `db-${++n}.sqlite`),
  open: (path, o) => openSqliteStore({ path, lockTimeoutMs: 0, ...o }),
  exec: async (path, sql) => {
    const db = new Database(path);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  },
  concurrentOpen: false,
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-store-sqlite-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

storeCompliance('sqlite', () => harness);

describe('SQLite specifics', () => {
  const T = { timeout: 30_000 };

  it('uses WAL journal mode (persisted in the file)', T, async () => {
    const path = await harness.fresh();
    await (await harness.open(path)).close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  });

  it('a file that is not a database is STORE_CORRUPT and is left untouched', T, async () => {
    const path = await harness.fresh();
    const garbage = Buffer.from(bytes('garbage', 8192));
    writeFileSync(path, garbage);
    const err = await rejectsWith(harness.open(path), 'STORE_CORRUPT');
    assert.match(err.message, /corrupt or not a database/);
    assert.equal(err.meta.path, path);
    assert.equal(statSync(path).size, garbage.length);
  });

  it('a database with damaged pages is STORE_CORRUPT, never reset', T, async () => {
    const path = await harness.fresh();
    const s = await harness.open(path);
    await s.transaction(async (tx) => {
      for (let i = 0; i < 200; i++) await tx.channels.put(channel(`c${i}`, 1n));
    });
    await s.close();
    const size = statSync(path).size;
    // Overwrite pages in the middle of the file (past the header and schema pages) with noise.
    const fd = openSync(path, 'r+');
    try {
      writeSync(fd, Buffer.from(bytes('noise', 3 * 4096)), 0, 3 * 4096, 8 * 4096);
    } finally {
      closeSync(fd);
    }
    await rejectsWith(harness.open(path), 'STORE_CORRUPT');
    assert.equal(statSync(path).size, size);
  });

  it('a database locked by another connection is STORE_LOCKED', T, async () => {
    const path = await harness.fresh();
    const holder = await harness.open(path);
    try {
      const err = await rejectsWith(harness.open(path), 'STORE_LOCKED');
      assert.match(err.message, /locked by another process/);
      // The holder is unaffected.
      await holder.transaction((tx) => tx.meta.put('k', bytes('v')));
    } finally {
      await holder.close();
    }
    await (await harness.open(path)).close();
  });

  it('a database held by another process is STORE_LOCKED, and opens once that process dies', T, async () => {
    const path = await harness.fresh();
    const child = spawn(process.execPath, [WRITER, 'sqlite', path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      const lines = createInterface({ input: child.stdout });
      for await (const line of lines) if (line.startsWith('ready')) break;
      await rejectsWith(harness.open(path), 'STORE_LOCKED');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    await (await harness.open(path)).close();
  });

  it('a missing directory is a clear error', T, async () => {
    await rejectsWith(harness.open(join(dir, 'no', 'such', 'dir.sqlite')), 'STORE_DB_ERROR');
  });
});
