/**
 * bench/store: committed channel-state updates per second and commit latency, SQLite and
 * PostgreSQL, each against its raw driver doing a single-row INSERT + COMMIT on the same
 * durability settings (SQLite WAL + synchronous=FULL; PostgreSQL fsync + synchronous_commit on).
 * Sequential commits, one at a time, as a channel's state updates are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ChannelRecord,
  openPostgresStore,
  openSqliteStore,
  type Store,
  startPostgres,
} from '@shoal/store';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type BenchRow, report, row } from '../lib/report.js';

const MS = Number(process.env.BENCH_MS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BLOB = new Uint8Array(512).fill(0x5a);

function channel(version: bigint): ChannelRecord {
  return {
    channelId: new Uint8Array(32).fill(1),
    peerId: new Uint8Array(33).fill(2),
    shortChannelId: 1n << 40n,
    state: 'NORMAL',
    fundingTxid: new Uint8Array(32).fill(3),
    fundingOutputIndex: 0,
    capacitySat: 1_000_000n,
    localBalanceMsat: 500_000_000n,
    version,
    blob: BLOB,
    updatedAt: 1_700_000_000,
  };
}

interface Sample {
  opsPerSec: number;
  p50: number;
  p99: number;
}

type Commit = () => Promise<unknown> | unknown;

/**
 * Runs `ours` and `theirs` alternately in chunks of 25 commits for about 2 x MS ms, so both see
 * the same disk and CPU conditions (other processes load this machine). Returns, for each,
 * commits per second of its own time and its latency percentiles (ms).
 */
async function measurePair(ours: Commit, theirs: Commit): Promise<[Sample, Sample]> {
  const lat: [number[], number[]] = [[], []];
  const spent = [0n, 0n];
  const end = process.hrtime.bigint() + 2n * BigInt(MS) * 1_000_000n;
  const fns = [ours, theirs] as const;
  while (process.hrtime.bigint() < end) {
    for (const i of [0, 1] as const) {
      for (let k = 0; k < 25; k++) {
        const t0 = process.hrtime.bigint();
        await fns[i]();
        const dt = process.hrtime.bigint() - t0;
        spent[i] = (spent[i] ?? 0n) + dt;
        lat[i].push(Number(dt) / 1e6);
      }
    }
  }
  const sample = (i: 0 | 1): Sample => {
    const l = lat[i].sort((a, b) => a - b);
    const pct = (p: number) => l[Math.min(l.length - 1, Math.floor((p / 100) * l.length))] ?? Number.NaN;
    return { opsPerSec: l.length / (Number(spent[i]) / 1e9), p50: pct(50), p99: pct(99) };
  };
  return [sample(0), sample(1)];
}

/** Best of the rounds for each figure (noise only ever makes a figure worse). */
function best(samples: Sample[]): Sample {
  return {
    opsPerSec: Math.max(...samples.map((s) => s.opsPerSec)),
    p50: Math.min(...samples.map((s) => s.p50)),
    p99: Math.min(...samples.map((s) => s.p99)),
  };
}

function storeCommit(store: Store): () => Promise<void> {
  let v = 0n;
  return () => store.transaction((tx) => tx.channels.put(channel(++v)));
}

function rows(name: string, baselineName: string, ours: Sample, raw: Sample): BenchRow[] {
  return [
    row(`${name}: committed channel updates`, 'ops/s', ours.opsPerSec, raw.opsPerSec, baselineName),
    row(`${name}: p50 commit latency`, 'ms', ours.p50, raw.p50, baselineName),
    row(`${name}: p99 commit latency`, 'ms', ours.p99, raw.p99, baselineName),
  ];
}

async function sqlite(dir: string): Promise<BenchRow[]> {
  const store = await openSqliteStore({ path: join(dir, 'store.sqlite') });
  const raw = new Database(join(dir, 'raw.sqlite'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, blob BLOB NOT NULL)');
  const insert = raw.prepare('INSERT INTO t (version, blob) VALUES (?, ?)');
  const begin = raw.prepare('BEGIN');
  const commit = raw.prepare('COMMIT');
  const buf = Buffer.from(BLOB);
  let v = 0;
  const rawCommit = () => {
    begin.run();
    insert.run(++v, buf);
    commit.run();
  };
  const ours: Sample[] = [];
  const theirs: Sample[] = [];
  try {
    const ourCommit = storeCommit(store);
    for (let r = 0; r < ROUNDS; r++) {
      const [a, b] = await measurePair(ourCommit, rawCommit);
      ours.push(a);
      theirs.push(b);
    }
  } finally {
    await store.close();
    raw.close();
  }
  return rows('SQLite', 'better-sqlite3 INSERT+COMMIT', best(ours), best(theirs));
}

async function postgres(): Promise<BenchRow[]> {
  const server = await startPostgres({ settings: { fsync: 'on', synchronous_commit: 'on' } });
  try {
    const url = await server.createDatabase('bench');
    const store = await openPostgresStore({ url, poolSize: 1 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      'CREATE TABLE raw_t (id BIGSERIAL PRIMARY KEY, version BIGINT NOT NULL, blob BYTEA NOT NULL)',
    );
    const buf = Buffer.from(BLOB);
    let v = 0;
    const rawCommit = async () => {
      await client.query('BEGIN');
      await client.query('INSERT INTO raw_t (version, blob) VALUES ($1, $2)', [++v, buf]);
      await client.query('COMMIT');
    };
    const ours: Sample[] = [];
    const theirs: Sample[] = [];
    try {
      const ourCommit = storeCommit(store);
      for (let r = 0; r < ROUNDS; r++) {
        const [a, b] = await measurePair(ourCommit, rawCommit);
        ours.push(a);
        theirs.push(b);
      }
    } finally {
      await store.close();
      await client.end();
    }
    return rows('PostgreSQL', 'pg BEGIN+INSERT+COMMIT', best(ours), best(theirs));
  } finally {
    await server.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-store-'));
try {
  report('store', [...(await sqlite(dir)), ...(await postgres())]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
