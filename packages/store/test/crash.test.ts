import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  openPostgresStore,
  openSqliteStore,
  type Store,
  startPostgres,
  type TestPostgres,
} from '../src/index.js';
import { crashChannel } from './crash-records.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/crash-writer.js', import.meta.url));
const KILLS = 100;

interface Run {
  /** The version the child started from. */
  start: bigint;
  /** The last version it acknowledged before SIGKILL. */
  acked: bigint;
}

/**
 * Starts the writer and kills it with SIGKILL 5-50 ms after it is ready (the kill may land in
 * start-up or in any commit) or, with `afterFirstCommit`, after its first acknowledged commit (so
 * half the runs are sure to be killed while writing). Returns what it acknowledged.
 */
function runAndKill(kind: 'sqlite' | 'postgres', location: string, afterFirstCommit: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, kind, location], { stdio: ['ignore', 'pipe', 'pipe'] });
    let start: bigint | undefined;
    let acked = -1n;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // readline only emits complete lines: a version cut off mid-write is not acknowledged.
    createInterface({ input: child.stdout }).on('line', (line) => {
      const arm = () => setTimeout(() => child.kill('SIGKILL'), randomInt(5, 51));
      if (line.startsWith('ready ')) {
        start = BigInt(line.slice(6));
        acked = start;
        if (!afterFirstCommit) arm();
      } else {
        if (afterFirstCommit && acked === start) arm();
        acked = BigInt(line);
      }
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (start === undefined || signal !== 'SIGKILL') {
        reject(new Error(`writer ended with code ${code} signal ${signal} before being killed: ${stderr}`));
      } else {
        resolve({ start, acked });
      }
    });
  });
}

async function crashLoop(kind: 'sqlite' | 'postgres', open: () => Promise<Store>): Promise<string> {
  let progressed = 0;
  let last = 0n;
  for (let i = 0; i < KILLS; i++) {
    const run = await runAndKill(kind, location(kind), i % 2 === 1);
    assert.ok(run.start >= last, `iteration ${i}: started from ${run.start}, below the acknowledged ${last}`);
    if (run.acked > run.start) progressed++;
    const store = await open(); // must open cleanly after every kill
    try {
      const { ch, htlcs, meta } = await store.read(async (tx) => {
        const ch = await tx.channels.get(crashChannel(0n).channelId);
        return {
          ch,
          htlcs: await tx.htlcs.listByChannel(crashChannel(0n).channelId),
          meta: await tx.meta.get('crash:last'),
        };
      });
      const version = ch?.version ?? 0n;
      assert.ok(
        version >= run.acked,
        `iteration ${i}: version ${version} lost the acknowledged ${run.acked}`,
      );
      if (ch)
        assert.deepEqual(
          ch,
          crashChannel(version),
          `iteration ${i}: channel row is not version ${version}'s`,
        );
      // Each version's HTLC and meta row were written in its transaction: all or nothing.
      assert.equal(
        BigInt(htlcs.length),
        version,
        `iteration ${i}: ${htlcs.length} HTLCs for version ${version}`,
      );
      assert.equal(meta ? new TextDecoder().decode(meta) : '0', version.toString());
      last = version;
    } finally {
      await store.close();
    }
  }
  // The kills must land while writing, not only during start-up.
  assert.ok(
    progressed >= KILLS / 2,
    `only ${progressed} of ${KILLS} runs committed anything before the kill`,
  );
  return `${KILLS} kills, ${progressed} of them after at least one commit, ${last} versions committed`;
}

let dir = '';
let pgUrl = '';
function location(kind: 'sqlite' | 'postgres'): string {
  return kind === 'sqlite' ? join(dir, 'crash.sqlite') : pgUrl;
}

describe('crash safety: SIGKILL during channel updates loses no acknowledged commit', () => {
  let server: TestPostgres | undefined;
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`SQLite survives ${KILLS} kills`, { timeout: 300_000 }, async (t) => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-store-crash-'));
    t.diagnostic(
      await crashLoop('sqlite', () => openSqliteStore({ path: location('sqlite'), lockTimeoutMs: 5000 })),
    );
  });

  it(`PostgreSQL (fsync and synchronous_commit on) survives ${KILLS} kills`, {
    timeout: 300_000,
  }, async (t) => {
    server = await startPostgres();
    pgUrl = await server.createDatabase('crash');
    t.diagnostic(await crashLoop('postgres', () => openPostgresStore({ url: pgUrl, poolSize: 1 })));
  });
});
