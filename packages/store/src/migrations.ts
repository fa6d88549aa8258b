import { StoreError } from './errors.js';
import { colNum, type Executor } from './sql.js';
import type { StoreKind } from './store.js';

/**
 * Versioned schema migrations, one portable SQL text each. `BYTES` and `INT64` are replaced per
 * dialect (SQLite: BLOB/INTEGER, PostgreSQL: BYTEA/BIGINT). Never edit a released migration:
 * append a new one.
 */
const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE fencing (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch INT64 NOT NULL
);
INSERT INTO fencing (id, epoch) VALUES (1, 0);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value BYTES NOT NULL
);
CREATE TABLE peers (
  node_id BYTES PRIMARY KEY,
  features BYTES NOT NULL,
  created_at INT64 NOT NULL,
  last_connected_at INT64
);
CREATE TABLE peer_addresses (
  node_id BYTES NOT NULL REFERENCES peers (node_id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  address TEXT NOT NULL,
  PRIMARY KEY (node_id, position)
);
CREATE TABLE channels (
  channel_id BYTES PRIMARY KEY,
  peer_id BYTES NOT NULL,
  short_channel_id INT64 UNIQUE,
  state TEXT NOT NULL,
  funding_txid BYTES NOT NULL,
  funding_output_index INTEGER NOT NULL,
  capacity_sat INT64 NOT NULL,
  local_balance_msat INT64 NOT NULL,
  version INT64 NOT NULL,
  blob BYTES NOT NULL,
  updated_at INT64 NOT NULL
);
CREATE INDEX channels_peer_id ON channels (peer_id);
CREATE INDEX channels_state ON channels (state);
CREATE TABLE htlcs (
  channel_id BYTES NOT NULL REFERENCES channels (channel_id) ON DELETE CASCADE,
  direction TEXT NOT NULL CHECK (direction IN ('offered', 'received')),
  htlc_id INT64 NOT NULL,
  amount_msat INT64 NOT NULL,
  payment_hash BYTES NOT NULL,
  cltv_expiry INTEGER NOT NULL,
  state TEXT NOT NULL,
  onion BYTES NOT NULL,
  PRIMARY KEY (channel_id, direction, htlc_id)
);
CREATE INDEX htlcs_payment_hash ON htlcs (payment_hash);
CREATE TABLE graph_channels (
  short_channel_id INT64 PRIMARY KEY,
  node_id_1 BYTES NOT NULL,
  node_id_2 BYTES NOT NULL,
  capacity_sat INT64,
  raw BYTES NOT NULL
);
CREATE INDEX graph_channels_node_id_1 ON graph_channels (node_id_1);
CREATE INDEX graph_channels_node_id_2 ON graph_channels (node_id_2);
CREATE TABLE graph_channel_updates (
  short_channel_id INT64 NOT NULL,
  direction INTEGER NOT NULL CHECK (direction IN (0, 1)),
  timestamp INT64 NOT NULL,
  raw BYTES NOT NULL,
  PRIMARY KEY (short_channel_id, direction)
);
CREATE TABLE graph_nodes (
  node_id BYTES PRIMARY KEY,
  timestamp INT64 NOT NULL,
  raw BYTES NOT NULL
);
CREATE TABLE payments (
  payment_id BYTES PRIMARY KEY,
  payment_hash BYTES NOT NULL,
  destination BYTES NOT NULL,
  amount_msat INT64 NOT NULL,
  fee_msat INT64 NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  preimage BYTES,
  bolt11 TEXT,
  failure_reason TEXT,
  created_at INT64 NOT NULL,
  completed_at INT64
);
CREATE INDEX payments_payment_hash ON payments (payment_hash);
CREATE INDEX payments_created_at ON payments (created_at);
CREATE TABLE invoices (
  payment_hash BYTES PRIMARY KEY,
  preimage BYTES NOT NULL,
  payment_secret BYTES NOT NULL,
  amount_msat INT64,
  bolt11 TEXT NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'expired', 'cancelled')),
  received_msat INT64,
  created_at INT64 NOT NULL,
  expires_at INT64 NOT NULL,
  paid_at INT64
);
CREATE INDEX invoices_status ON invoices (status, created_at);
`,
  },
];

/** The schema version this code writes. A database with a greater version is refused. */
export const SCHEMA_VERSION: number = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** The SQL of one migration for one dialect, split into statements. */
export function migrationStatements(sql: string, kind: StoreKind): string[] {
  const typed =
    kind === 'postgres'
      ? sql.replace(/\bBYTES\b/g, 'BYTEA').replace(/\bINT64\b/g, 'BIGINT')
      : sql.replace(/\bBYTES\b/g, 'BLOB').replace(/\bINT64\b/g, 'INTEGER');
  return typed
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A connection able to run migrations: `transaction` runs `fn` atomically. */
export interface MigrationHost {
  kind: StoreKind;
  transaction<T>(fn: (ex: Executor) => Promise<T>): Promise<T>;
}

/** The refusal of a database written by a newer Shoal. */
export function schemaTooNew(found: number): StoreError {
  return new StoreError(
    'STORE_SCHEMA_TOO_NEW',
    `database schema version ${found} is newer than this Shoal supports (${SCHEMA_VERSION}); ` +
      'upgrade Shoal or use a database of this version (it is never downgraded)',
    { found, supported: SCHEMA_VERSION },
  );
}

/**
 * Brings the schema to {@link SCHEMA_VERSION}, one transaction per migration, and returns the
 * version found before. Refuses (`STORE_SCHEMA_TOO_NEW`) a database from a newer version.
 */
export async function migrate(host: MigrationHost): Promise<number> {
  const int64 = host.kind === 'postgres' ? 'BIGINT' : 'INTEGER';
  const found = await host.transaction(async (ex) => {
    if (host.kind === 'postgres') await ex.run('SELECT pg_advisory_xact_lock(7273827)');
    await ex.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${int64} NOT NULL)`,
    );
    return currentVersion(ex);
  });
  if (found > SCHEMA_VERSION) throw schemaTooNew(found);
  for (const m of MIGRATIONS) {
    if (m.version <= found) continue;
    await host.transaction(async (ex) => {
      if (host.kind === 'postgres') await ex.run('SELECT pg_advisory_xact_lock(7273827)');
      // Another process may have applied it meanwhile (PostgreSQL; SQLite holds an exclusive lock).
      if ((await currentVersion(ex)) >= m.version) return;
      for (const stmt of migrationStatements(m.sql, host.kind)) await ex.run(stmt);
      await ex.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        Math.floor(Date.now() / 1000),
      ]);
    });
  }
  return found;
}

async function currentVersion(ex: Executor): Promise<number> {
  const rows = await ex.all('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations');
  return rows[0] ? colNum(rows[0], 'v') : 0;
}
