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

/**
 * Finds a host accepting writes. All hosts are probed at once and the first writable answer wins,
 * so a host that does not answer (powered off, partitioned) costs nothing while another is
 * writable; only when none is does the call take up to the connect timeout.
 */
async function findPrimary(urls: readonly string[], timeoutMs: number): Promise<string> {
  const failures: string[] = [];
  const probe = async (url: string): Promise<string> => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
    client.on('error', () => {}); // a probe connection dying late has nothing left to report
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
    throw new StoreError('STORE_UNAVAILABLE', 'not writable', {});
  };
  try {
    return await Promise.any(urls.map(probe));
  } catch {
    throw new StoreError(
      'STORE_UNAVAILABLE',
      `no PostgreSQL server accepts writes (${failures.join('; ')})`,
      {
        hosts: urls.length,
      },
    );
  }
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
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  const onIdleError =
    options.onIdleError ?? ((err: StoreError) => process.emitWarning(err.message, { code: err.code }));
  const primary = await findPrimary(urls, timeoutMs);
  const connect = (url: string) => makePool(url, options.poolSize ?? 4, timeoutMs, onIdleError);
  const store = new PostgresStore(urls, primary, connect, timeoutMs, options.metrics);
  try {
    await migrate({ kind: 'postgres', transaction: (fn) => store.raw('BEGIN', fn) });
    await store.init(options.epoch);
    return store;
  } catch (err) {
    await store.close();
    throw postgresError(err, 'open');
  }
}

function makePool(
  url: string,
  max: number,
  timeoutMs: number,
  onIdleError: (err: StoreError) => void,
): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: timeoutMs });
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
  return pool;
}

/** A failure before BEGIN completed: nothing was written, so the transaction may run again. */
class NotBegun {
  constructor(readonly error: unknown) {}
}

class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly schemaVersion = SCHEMA_VERSION;
  readonly #urls: readonly string[];
  readonly #connect: (url: string) => pg.Pool;
  readonly #timeoutMs: number;
  #url: string;
  #pool: pg.Pool;
  /** Set when a transaction failed as if the server went away: find the primary again first. */
  #suspect = false;
  #finding: Promise<void> | undefined;
  #epoch = 0n;
  #closed = false;
  readonly #metrics: StoreMetrics | undefined;

  constructor(
    urls: readonly string[],
    primary: string,
    connect: (url: string) => pg.Pool,
    timeoutMs: number,
    metrics: StoreMetrics | undefined,
  ) {
    this.#urls = urls;
    this.#url = primary;
    this.#connect = connect;
    this.#timeoutMs = timeoutMs;
    this.#metrics = metrics;
    this.#pool = connect(primary);
  }

  get epoch(): bigint {
    return this.#epoch;
  }

  async init(epoch: bigint | undefined): Promise<void> {
    if (epoch !== undefined) await this.claimEpoch(epoch);
    else this.#epoch = await this.databaseEpoch();
  }

  /**
   * Runs `fn` between `begin` and COMMIT on one pooled connection; rolls back on throw. After a
   * failover (connection refused or lost, or the server became read-only) the hosts are probed
   * again and the pool moves to the one accepting writes (libpq's `target_session_attrs=read-write`).
   * A transaction that failed before BEGIN completed is run once more there (nothing was written);
   * one that failed later fails (its COMMIT may or may not have happened) and the next one moves.
   * The epoch check is part of every write transaction, so it holds on whichever host answers.
   */
  async raw<T>(begin: string, fn: (ex: Executor, begun: pg.QueryResult<Row>[]) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError('STORE_CLOSED', 'PostgreSQL store is closed');
    if (this.#suspect) await this.#findPrimary();
    try {
      return await this.#attempt(begin, fn);
    } catch (err) {
      if (!(err instanceof NotBegun)) throw err;
      if (!isUnavailable(err.error)) throw err.error;
      await this.#findPrimary();
      try {
        return await this.#attempt(begin, fn);
      } catch (again) {
        throw again instanceof NotBegun ? again.error : again;
      }
    }
  }

  /** Probes the hosts (once for all concurrent callers) and moves the pool to the writable one. */
  #findPrimary(): Promise<void> {
    this.#finding ??= (async () => {
      try {
        const url = await findPrimary(this.#urls, this.#timeoutMs);
        this.#suspect = false;
        if (url === this.#url || this.#closed) return;
        const old = this.#pool;
        this.#url = url;
        this.#pool = this.#connect(url);
        // Clients still checked out finish (or fail) on the old pool; it ends when they are back.
        old.end().catch(() => undefined); // the old server is gone or read-only: nothing to report
      } finally {
        this.#finding = undefined;
      }
    })();
    return this.#finding;
  }

  async #attempt<T>(
    begin: string,
    fn: (ex: Executor, begun: pg.QueryResult<Row>[]) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw new NotBegun(postgresError(err, 'connect'));
    }
    const ex: Executor = {
      run: async (sql, params = []) =>
        (await client.query(toDollarParams(sql), params.map(bind))).rowCount ?? 0,
      all: async (sql, params = []) => (await client.query<Row>(toDollarParams(sql), params.map(bind))).rows,
    };
    let broken: Error | undefined;
    let begun: unknown;
    try {
      // A multi-statement string resolves to one result per statement.
      begun = await client.query<Row>(begin);
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
      client.release(broken);
      throw new NotBegun(postgresError(err, 'transaction'));
    }
    try {
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
      const mapped = postgresError(err, 'transaction');
      if (isUnavailable(mapped)) this.#suspect = true;
      throw mapped;
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
    await this.#finding?.catch(() => undefined); // closing: a failed probe does not matter now
    await this.#pool.end();
  }
}

function isUnavailable(err: unknown): boolean {
  return err instanceof StoreError && err.code === 'STORE_UNAVAILABLE';
}

function bind(v: SqlValue): string | number | Buffer | null {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array)
    return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}
