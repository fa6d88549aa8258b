import pg from 'pg';
import { StoreError } from './errors.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { colBig, type Executor, type Row, type SqlValue, toDollarParams } from './sql.js';
import type { Store, StoreMetrics, StoreOptions, StoreTx } from './store.js';
import { EPOCH_SQL, makeTx, observed, readEpoch, staleEpoch } from './tx.js';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions extends StoreOptions {
  /**
   * Connection string(s). Several hosts, given as a list or libpq-style in one URL
   * (`postgres://u@h1:5432,h2:5432/db?target_session_attrs=read-write`), are tried in order and
   * the first that accepts writes is used, as libpq's `target_session_attrs=read-write` does.
   */
  url: string | readonly string[];
  /** Connections in the pool (default 4). Write transactions of one store may run concurrently. */
  poolSize?: number;
  /** Per-host connect timeout (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Called when an idle pooled connection fails (e.g. the server restarted); default: a process warning. */
  onIdleError?: (err: StoreError) => void;
}

/** SQLSTATEs that mean "this server cannot take our writes now". */
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '25006', '08000', '08003', '08006']);

/** Maps a `pg` error to a {@link StoreError}; any other error (the caller's own) passes through. */
export function postgresError(err: unknown, doing: string): unknown {
  if (err instanceof StoreError || !(err instanceof Error)) return err;
  const code = 'code' in err && typeof err.code === 'string' ? err.code : '';
  const isPg = err instanceof pg.DatabaseError;
  if (!isPg && code === '' && !/connect|terminat|timeout/i.test(err.message)) return err;
  const unavailable = UNAVAILABLE.has(code) || !isPg;
  return new StoreError(
    unavailable ? 'STORE_UNAVAILABLE' : 'STORE_DB_ERROR',
    `PostgreSQL ${doing} failed: ${err.message}`,
    { sqlState: isPg ? code : null, errno: isPg ? null : code || null },
    { cause: err },
  );
}

/** Splits a libpq multi-host URL into one URL per host and drops `target_session_attrs`. */
export function expandHosts(url: string): string[] {
  const m = /^(postgres(?:ql)?:\/\/)([^@/]*@)?([^/?]*)(.*)$/.exec(url);
  if (!m) return [url];
  const [, scheme = '', auth = '', hosts = '', rest = ''] = m;
  const [path = '', query] = rest.split('?', 2);
  const params = new URLSearchParams(query ?? '');
  params.delete('target_session_attrs');
  const q = params.toString();
  return hosts.split(',').map((h) => `${scheme}${auth}${h}${path}${q ? `?${q}` : ''}`);
}

/** Finds the first host accepting writes. */
async function findPrimary(urls: readonly string[], timeoutMs: number): Promise<string> {
  const failures: string[] = [];
  for (const url of urls) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
    try {
      await client.connect();
      const res = await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
      if (res.rows[0]?.transaction_read_only === 'off') return url;
      failures.push(`${redact(url)}: read-only`);
    } catch (err) {
      failures.push(`${redact(url)}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await client.end().catch(() => undefined); // a failed probe connection has nothing left to close
    }
  }
  throw new StoreError('STORE_UNAVAILABLE', `no PostgreSQL server accepts writes (${failures.join('; ')})`, {
    hosts: urls.length,
  });
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * Opens a PostgreSQL store: applies migrations, then claims `options.epoch` (or adopts the
 * database's). Every write transaction takes a share lock on the fencing row and compares the
 * epoch; `claimEpoch` takes the row exclusively, so it waits for running writes of the old epoch.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const urls = typeof options.url === 'string' ? expandHosts(options.url) : options.url.flatMap(expandHosts);
  const primary = await findPrimary(urls, options.connectTimeoutMs ?? 5000);
  const pool = new pg.Pool({
    connectionString: primary,
    max: options.poolSize ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  });
  const onIdleError =
    options.onIdleError ?? ((err: StoreError) => process.emitWarning(err.message, { code: err.code }));
  // A connection that dies while checked out (server restart, failover, idle-in-transaction
  // timeout) emits 'error' on its client; without a listener that is an uncaught exception. The
  // query in flight rejects on its own, so the transaction fails with a StoreError; the pool then
  // discards the client.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  pool.on('error', (err) => {
    const mapped = postgresError(err, 'idle connection');
    onIdleError(mapped instanceof StoreError ? mapped : new StoreError('STORE_UNAVAILABLE', String(err)));
  });
  const store = new PostgresStore(pool, options.metrics);
  try {
    await migrate({ kind: 'postgres', transaction: (fn) => store.raw('BEGIN', fn) });
    await store.init(options.epoch);
    return store;
  } catch (err) {
    await pool.end();
    throw postgresError(err, 'open');
  }
}

class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly schemaVersion = SCHEMA_VERSION;
  readonly #pool: pg.Pool;
  #epoch = 0n;
  #closed = false;
  readonly #metrics: StoreMetrics | undefined;

  constructor(pool: pg.Pool, metrics: StoreMetrics | undefined) {
    this.#metrics = metrics;
    this.#pool = pool;
  }

  get epoch(): bigint {
    return this.#epoch;
  }

  async init(epoch: bigint | undefined): Promise<void> {
    if (epoch !== undefined) await this.claimEpoch(epoch);
    else this.#epoch = await this.databaseEpoch();
  }

  /** Runs `fn` between `begin` and COMMIT on one pooled connection; rolls back on throw. */
  async raw<T>(begin: string, fn: (ex: Executor, begun: pg.QueryResult<Row>[]) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError('STORE_CLOSED', 'PostgreSQL store is closed');
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw postgresError(err, 'connect');
    }
    const ex: Executor = {
      run: async (sql, params = []) =>
        (await client.query(toDollarParams(sql), params.map(bind))).rowCount ?? 0,
      all: async (sql, params = []) => (await client.query<Row>(toDollarParams(sql), params.map(bind))).rows,
    };
    let broken: Error | undefined;
    try {
      // A multi-statement string resolves to one result per statement.
      const begun: unknown = await client.query<Row>(begin);
      const result = await fn(ex, Array.isArray(begun) ? (begun as pg.QueryResult<Row>[]) : []);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // The connection is unusable: drop it from the pool; the original error is what we report.
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw postgresError(err, 'transaction');
    } finally {
      client.release(broken);
    }
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return observed(this.#metrics, 'write', () => this.#transaction(fn));
  }

  #transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    // BEGIN and the fencing check travel in one round trip (simple query protocol, two statements).
    // The share lock lasts until COMMIT, so a claimEpoch (FOR UPDATE) waits for this transaction.
    return this.raw(`BEGIN; ${EPOCH_SQL} FOR SHARE`, async (ex, begun) => {
      const row = begun[1]?.rows[0];
      const current = row ? colBig(row, 'epoch') : 0n;
      if (current !== this.#epoch) throw staleEpoch(this.#epoch, current);
      return fn(makeTx(ex));
    });
  }

  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return observed(this.#metrics, 'read', () => this.#read(fn));
  }

  #read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.raw('BEGIN READ ONLY', (ex) => fn(makeTx(ex)));
  }

  async claimEpoch(epoch: bigint): Promise<void> {
    await this.raw('BEGIN', async (ex) => {
      const current = await readEpoch(ex, ' FOR UPDATE');
      if (epoch < current) throw staleEpoch(epoch, current);
      await ex.run('UPDATE fencing SET epoch = ? WHERE id = 1', [epoch]);
    });
    this.#epoch = epoch;
  }

  databaseEpoch(): Promise<bigint> {
    return this.raw('BEGIN READ ONLY', (ex) => readEpoch(ex));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

function bind(v: SqlValue): string | number | Buffer | null {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array)
    return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}
