// Backend high availability on loopback (issue 7, DESIGN §5): etcd, a PostgreSQL primary with a
// synchronous standby (deploy/postgres/pgha), and backends with `cluster.leader-elector = etcd`.
import { execFile } from 'node:child_process';
import { chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestEtcd } from '@shoal/ha';
import { nodeSeedPath } from '@shoal/identity';
import pg from 'pg';
import { eventually, freePort, startProcess, type TestProcess } from './processes.js';
import { ROOT, type TestNode } from './shoal.js';

// ---- etcd ---------------------------------------------------------------------------------------

/** A single-member etcd (Debian `etcd-server`) on loopback, data in a temp dir (`@shoal/ha`'s test helper). */
export { startEtcd, type TestEtcd } from '@shoal/ha';

// ---- PostgreSQL primary + synchronous standby ---------------------------------------------------

const PGHA = join(ROOT, 'deploy/postgres/pgha');

/** Runs `deploy/postgres/pgha` (as the postgres user when we are root: PostgreSQL refuses root). */
export function pgha(...args: string[]): Promise<string> {
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

/** One PostgreSQL server of a {@link PgPair}. */
export interface PgNode {
  name: string;
  data: string;
  port: number;
}

/** A primary and its synchronous standby (each names the other, so the roles can swap). */
export interface PgPair {
  /** `host:port,host:port` for `--db.postgres.hosts` (both; the store picks the writable one). */
  hosts: string;
  database: string;
  primary: PgNode;
  standby: PgNode;
  /** Runs one query on the current primary's Shoal database. */
  query<R extends pg.QueryResultRow>(sql: string): Promise<R[]>;
  /** kill -9 of the primary's postmaster (a crash: no shutdown checkpoint, no goodbye to clients). */
  killPrimary(): Promise<void>;
  /** Promotes the standby (`pgha promote`) and swaps the roles; the old primary is down. */
  promoteStandby(): Promise<void>;
  /** Rebuilds the old (dead) primary as the new primary's synchronous standby (`pgha rewind`). */
  rebuildStandby(): Promise<void>;
  stop(): Promise<void>;
}

const COMMON = ['--hba-method', 'trust', '--idle-tx-timeout', '2s'];

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPgPair(database = 'shoal'): Promise<PgPair> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-pgpair-'));
  const ids = postgresIds();
  if (ids) chownSync(dir, ids.uid, ids.gid);
  let primary: PgNode = { name: 'node_a', data: join(dir, 'a'), port: await freePort() };
  let standby: PgNode = { name: 'node_b', data: join(dir, 'b'), port: await freePort() };
  const nodes = [primary, standby];
  const addr = (n: PgNode) => `127.0.0.1:${n.port}`;
  const stop = async (): Promise<void> => {
    for (const n of nodes) await pgha('stop', n.data, 'immediate').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await pgha(
      ...['init-primary', primary.data, '--port', String(primary.port), '--name', primary.name],
      ...['--peer', standby.name, ...COMMON],
    );
    await pgha('start', primary.data);
    await pgha(
      ...['init-standby', standby.data, '--port', String(standby.port), '--name', standby.name],
      ...['--peer', primary.name, '--primary', addr(primary), ...COMMON],
    );
    await pgha('start', standby.data);
    await pgha('wait-sync', addr(primary), standby.name, '60');
    const admin = new pg.Client({ connectionString: `postgres://postgres@${addr(primary)}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${database}`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    hosts: nodes.map(addr).join(','),
    database,
    get primary() {
      return primary;
    },
    get standby() {
      return standby;
    },
    async query<R extends pg.QueryResultRow>(sql: string) {
      const c = new pg.Client({
        connectionString: `postgres://postgres@${addr(primary)}/${database}`,
        connectionTimeoutMillis: 5_000,
      });
      await c.connect();
      try {
        return (await c.query<R>(sql)).rows;
      } finally {
        await c.end();
      }
    },
    async killPrimary() {
      const pid = Number(readFileSync(join(primary.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGKILL');
      await eventually('killed postmaster gone', () => (alive(pid) ? undefined : true), 10_000);
    },
    async promoteStandby() {
      await pgha('promote', standby.data, '--peer', primary.name);
      [primary, standby] = [standby, primary];
    },
    async rebuildStandby() {
      await pgha(
        ...['rewind', standby.data, '--port', String(standby.port), '--name', standby.name],
        ...['--peer', primary.name, '--source', addr(primary), ...COMMON],
      );
      await pgha('start', standby.data);
      await pgha('wait-sync', addr(primary), standby.name, '60');
    },
    stop,
  };
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A digest of every table of the Shoal database (row count and md5 of the sorted rows), to show
 * that a process wrote nothing between two snapshots.
 */
export async function snapshotDb(db: PgPair): Promise<Record<string, string>> {
  const tables = await db.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  const out: Record<string, string> = {};
  for (const { tablename } of tables) {
    const [r] = await db.query<{ n: string; h: string | null }>(
      `SELECT count(*)::text AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM "${tablename}" t`,
    );
    out[tablename] = `${r?.n}:${r?.h ?? ''}`;
  }
  return out;
}

/** The hex node ids of the `peers` table. */
export async function storedPeers(db: PgPair): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>("SELECT encode(node_id, 'hex') AS id FROM peers");
  return new Set(rows.map((r) => r.id));
}

// ---- backends with leader election --------------------------------------------------------------

/** A backend started with `cluster.leader-elector = etcd` on the shared PostgreSQL. */
export interface HaBackend {
  name: string;
  datadir: string;
  proc: TestProcess;
  clusterPort: number;
  apiPort: number;
  api(
    call: string,
    params?: Record<string, string>,
    timeoutMs?: number,
  ): Promise<{ status: number; body: unknown }>;
  /** True when `getinfo` answers with the node's id: this backend leads and serves. */
  serves(): Promise<boolean>;
  /** `/v1/state`'s `state` (RUNNING, WAITING_TO_START...), undefined when it does not answer. */
  state(): Promise<string | undefined>;
}

export interface HaBackendOptions {
  name: string;
  etcd: TestEtcd;
  db: PgPair;
  /** `cluster.leader-session-ttl` (e.g. `2s`). */
  ttl: string;
  clusterPort?: number;
  apiPort?: number;
  extraArgs?: string[];
}

/**
 * Starts a backend in `node.dir/<name>` (the node seed copied from `node.dir/backend`: every
 * backend of a node has the same identity) and resolves once its API answers `/v1/state`.
 */
export async function startHaBackend(node: TestNode, o: HaBackendOptions): Promise<HaBackend> {
  const datadir = join(node.dir, o.name);
  mkdirSync(datadir, { recursive: true });
  const seed = nodeSeedPath(datadir);
  const source = nodeSeedPath(join(node.dir, 'backend'));
  if (seed !== source) copyFileSync(source, seed);
  const clusterPort = o.clusterPort ?? (await freePort());
  const apiPort = o.apiPort ?? (await freePort());
  const proc = startProcess(
    o.name,
    process.execPath,
    [
      join(ROOT, 'apps/backend/dist/src/main.js'),
      `--datadir=${datadir}`,
      '--chain=regtest',
      `--cluster.tls.file=${node.keystore}`,
      '--cluster.host=127.0.0.1',
      `--cluster.port=${clusterPort}`,
      '--cluster.failure-detector.threshold=2s',
      '--cluster.failure-detector.heartbeat-interval=500ms',
      '--cluster.leader-elector=etcd',
      `--cluster.id=${o.name}`,
      `--cluster.etcd.endpoints=${o.etcd.endpoint}`,
      `--cluster.leader-session-ttl=${o.ttl}`,
      '--db.driver=postgres',
      `--db.postgres.hosts=${o.db.hosts}`,
      `--db.postgres.database=${o.db.database}`,
      '--db.postgres.username=postgres',
      '--db.postgres.connect-timeout=2s',
      // The writer's peers are gone once their write is acknowledged: do not redial them.
      '--peer.reconnect.enabled=false',
      '--log.format=json',
      '--log.level=debug',
      '--api.enabled=true',
      '--api.binding-ip=127.0.0.1',
      `--api.port=${apiPort}`,
      ...(o.extraArgs ?? []),
    ],
    { env: { ...childEnv(), CLUSTER_TLS_PASSWORD: node.tlsPassword, SHOAL_API_PASSWORD: node.apiPassword } },
  );
  const auth = `Basic ${Buffer.from(`:${node.apiPassword}`).toString('base64')}`;
  const api: HaBackend['api'] = async (call, params = {}, timeoutMs = 5_000) => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/${call}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body };
  };
  const b: HaBackend = {
    name: o.name,
    datadir,
    proc,
    clusterPort,
    apiPort,
    api,
    async serves() {
      const r = await api('getinfo', {}, 1_000).catch(() => undefined);
      return r?.status === 200 && (r.body as { nodeId?: unknown }).nodeId === node.nodeId;
    },
    async state() {
      const r = await api('v1/state', {}, 1_000).catch(() => undefined);
      const s = (r?.body as { state?: unknown } | undefined)?.state;
      return typeof s === 'string' ? s : undefined;
    },
  };
  let up = false;
  await Promise.race([
    eventually(
      `${o.name} API answers /v1/state`,
      async () => ((await b.state()) === undefined ? undefined : true),
      30_000,
      100,
    ).then(() => {
      up = true;
    }),
    proc.exited(31_000).then(
      (e) => {
        if (!up)
          throw new Error(
            `${o.name} exited (${e.code ?? e.signal}) while starting: ${proc.output().slice(-3000)}`,
          );
      },
      () => undefined,
    ),
  ]);
  return b;
}

/** The test's environment without its own SHOAL_TEST_* switches (the programs refuse unknown SHOAL_ keys). */
export function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SHOAL_TEST')));
}

/** True while the process has neither exited nor been killed. */
export function running(p: TestProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}
