import Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import type { Executor, Row, SqlValue } from './sql.js';
import type { Store, StoreMetrics, StoreOptions, StoreTx } from './store.js';
import { makeTx, observed, readEpoch, SerialQueue, staleEpoch } from './tx.js';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions extends StoreOptions {
  /** Database file; created when missing. */
  path: string;
  /** How long to wait for a lock held by another connection before `STORE_LOCKED` (default 1000 ms). */
  lockTimeoutMs?: number;
  /** Run `PRAGMA quick_check` at open (default true): a damaged file is refused, never reset. */
  integrityCheck?: boolean;
}

type Statement = Database.Statement<unknown[]>;

/** Maps a better-sqlite3 error to a {@link StoreError}; any other error (the caller's own) passes through. */
export function sqliteError(err: unknown, path: string, doing: string): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const detail = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError(
      'STORE_CORRUPT',
      `SQLite database ${path} is corrupt or not a database: ${detail}`,
      {
        path,
        sqliteCode: code,
      },
      { cause: err },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError(
      'STORE_LOCKED',
      `SQLite database ${path} is locked by another process or connection (is another backend running?)`,
      { path, sqliteCode: code },
      { cause: err },
    );
  }
  return new StoreError(
    'STORE_DB_ERROR',
    `SQLite ${doing} failed on ${path}: ${detail}`,
    { path, sqliteCode: code },
    {
      cause: err,
    },
  );
}

/**
 * Opens (creating when missing) a SQLite store: WAL journal, `synchronous=FULL` (a commit is on
 * disk before it is acknowledged), foreign keys on, and an exclusive lock on the file held until
 * `close()`: one backend per file (the single-host half of the fencing rule).
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const { path } = options;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: options.lockTimeoutMs ?? 1000 });
    db.defaultSafeIntegers(true);
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      throw new StoreError('STORE_DB_ERROR', `SQLite database ${path} refused WAL mode (${String(mode)})`, {
        path,
      });
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Takes the exclusive lock now rather than at the first write.
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    if (options.integrityCheck ?? true) {
      const result = db.pragma('quick_check', { simple: true });
      if (result !== 'ok') {
        throw new StoreError(
          'STORE_CORRUPT',
          `SQLite database ${path} failed its integrity check: ${String(result)}`,
          {
            path,
            check: String(result),
          },
        );
      }
    }
    const store = new SqliteStore(db, path, options.metrics);
    await migrate({ kind: 'sqlite', transaction: (fn) => store.raw(fn) });
    await store.init(options.epoch);
    return store;
  } catch (err) {
    if (db?.open) db.close();
    const mapped = sqliteError(err, path, 'open');
    if (mapped instanceof StoreError) throw mapped;
    // Nothing of the caller's runs during open: anything else is a driver or file system failure.
    const detail = err instanceof Error ? err.message : String(err);
    throw new StoreError(
      'STORE_DB_ERROR',
      `cannot open SQLite database ${path}: ${detail}`,
      { path },
      { cause: err },
    );
  }
}

class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly schemaVersion = SCHEMA_VERSION;
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #queue = new SerialQueue();
  readonly #statements = new Map<string, Statement>();
  readonly #ex: Executor;
  #epoch = 0n;
  #closed = false;
  readonly #metrics: StoreMetrics | undefined;

  constructor(db: Database.Database, path: string, metrics: StoreMetrics | undefined) {
    this.#metrics = metrics;
    this.#db = db;
    this.#path = path;
    this.#ex = {
      run: async (sql, params = []) => Number(this.#stmt(sql).run(...params.map(bind)).changes),
      all: async (sql, params = []) => this.#stmt(sql).all(...params.map(bind)) as Row[],
    };
  }

  get epoch(): bigint {
    return this.#epoch;
  }

  /** Claims the configured epoch, or adopts the database's. */
  async init(epoch: bigint | undefined): Promise<void> {
    if (epoch !== undefined) await this.claimEpoch(epoch);
    else this.#epoch = await this.databaseEpoch();
  }

  /** A write transaction without the epoch check (migrations). */
  raw<T>(fn: (ex: Executor) => Promise<T>): Promise<T> {
    return this.#queue.run(() => this.#inTx('BEGIN IMMEDIATE', async () => fn(this.#ex)));
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return observed(this.#metrics, 'write', () => this.#transaction(fn));
  }

  #transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.#queue.run(() =>
      this.#inTx('BEGIN IMMEDIATE', async () => {
        const current = await readEpoch(this.#ex);
        if (current !== this.#epoch) throw staleEpoch(this.#epoch, current);
        return fn(makeTx(this.#ex));
      }),
    );
  }

  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return observed(this.#metrics, 'read', () => this.#read(fn));
  }

  #read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      this.#checkOpen();
      this.#db.pragma('query_only = ON');
      try {
        return await this.#inTx('BEGIN', () => fn(makeTx(this.#ex)), true);
      } finally {
        this.#db.pragma('query_only = OFF');
      }
    });
  }

  claimEpoch(epoch: bigint): Promise<void> {
    return this.#queue.run(() =>
      this.#inTx('BEGIN IMMEDIATE', async () => {
        const current = await readEpoch(this.#ex);
        if (epoch < current) throw staleEpoch(epoch, current);
        await this.#ex.run('UPDATE fencing SET epoch = ? WHERE id = 1', [epoch]);
        this.#epoch = epoch;
      }),
    );
  }

  databaseEpoch(): Promise<bigint> {
    return this.#queue.run(() => this.#inTx('BEGIN', () => readEpoch(this.#ex), true));
  }

  close(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#statements.clear();
      this.#db.close();
    });
  }

  async #inTx<T>(begin: string, fn: () => Promise<T>, rollback = false): Promise<T> {
    this.#checkOpen();
    try {
      this.#stmt(begin).run(); // prepared once: BEGIN/COMMIT are on every commit's path
      const result = await fn();
      this.#stmt(rollback ? 'ROLLBACK' : 'COMMIT').run();
      return result;
    } catch (err) {
      // A failed COMMIT may already have rolled back; only roll back what is still open.
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw sqliteError(err, this.#path, 'transaction');
    }
  }

  #stmt(sql: string): Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare<unknown[]>(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new StoreError('STORE_CLOSED', `SQLite store ${this.#path} is closed`, { path: this.#path });
  }
}

function bind(v: SqlValue): SqlValue | Buffer {
  return v instanceof Uint8Array && !Buffer.isBuffer(v)
    ? Buffer.from(v.buffer, v.byteOffset, v.byteLength)
    : v;
}
