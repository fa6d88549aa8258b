import { StoreError } from './errors.js';
import { channelRepository, htlcRepository, metaRepository, peerRepository } from './repos-channels.js';
import { graphRepository } from './repos-graph.js';
import { invoiceRepository, paymentRepository } from './repos-payments.js';
import { colBig, type Executor } from './sql.js';
import type { StoreMetrics, StoreTx } from './store.js';

/** The repositories of one transaction, all over the same executor. */
export function makeTx(ex: Executor): StoreTx {
  return {
    meta: metaRepository(ex),
    peers: peerRepository(ex),
    channels: channelRepository(ex),
    htlcs: htlcRepository(ex),
    graph: graphRepository(ex),
    payments: paymentRepository(ex),
    invoices: invoiceRepository(ex),
  };
}

/** The query of the fencing epoch (one row, table `fencing`). */
export const EPOCH_SQL = 'SELECT epoch FROM fencing WHERE id = 1';

/** Reads the fencing epoch; `lock` is appended to the SELECT (PostgreSQL `FOR SHARE`/`FOR UPDATE`). */
export async function readEpoch(ex: Executor, lock = ''): Promise<bigint> {
  const rows = await ex.all(`${EPOCH_SQL}${lock}`);
  return rows[0] ? colBig(rows[0], 'epoch') : 0n;
}

/** The refusal of a write (or claim) from an epoch older than the database's. */
export function staleEpoch(mine: bigint, database: bigint): StoreError {
  return new StoreError(
    'STORE_STALE_EPOCH',
    `fencing epoch ${mine} is stale: the database is at epoch ${database} (another backend took over)`,
    { epoch: mine.toString(), databaseEpoch: database.toString() },
  );
}

/** Serialises async work: each call starts after the previous one settled. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    // The queue only orders work; each caller still receives its own result or error.
    this.#tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }
}

/** Runs `fn` and reports its duration and outcome to `metrics` when there is one. */
export async function observed<T>(
  metrics: StoreMetrics | undefined,
  kind: 'write' | 'read',
  fn: () => Promise<T>,
): Promise<T> {
  if (!metrics) return fn();
  const t0 = process.hrtime.bigint();
  let outcome = 'ok';
  try {
    return await fn();
  } catch (err) {
    outcome = err instanceof StoreError ? err.code : 'error';
    throw err;
  } finally {
    metrics.transaction(kind, Number(process.hrtime.bigint() - t0) / 1e9, outcome);
  }
}
