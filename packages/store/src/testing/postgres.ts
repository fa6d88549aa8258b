import { type ChildProcess, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { StoreError } from '../errors.js';

/** A PostgreSQL server started by {@link startPostgres}. */
export interface TestPostgres {
  /** URL of the `postgres` database as the superuser `postgres` (no password, loopback only). */
  url: string;
  host: string;
  port: number;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown, then removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Directory of `initdb` and `postgres` (default: the Debian PostgreSQL 15 location, else PATH). */
  binDir?: string;
  /** Extra `-c name=value` server settings. */
  settings?: Readonly<Record<string, string>>;
  /** How long to wait for the server to accept connections (default 30 s). */
  startTimeoutMs?: number;
}

const DEBIAN_BIN = '/usr/lib/postgresql/15/bin';

/**
 * Starts a throw-away PostgreSQL server: `initdb` in a temporary directory, listening on
 * 127.0.0.1 and a free port, its unix socket inside that directory, `fsync` and
 * `synchronous_commit` on. As root it runs as the `postgres` user (PostgreSQL refuses root).
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const binDir = options.binDir ?? (existsSync(join(DEBIAN_BIN, 'postgres')) ? DEBIAN_BIN : '');
  const bin = (name: string) => (binDir ? join(binDir, name) : name);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-pg-'));
  const data = join(dir, 'data');
  const ids = process.getuid?.() === 0 ? postgresUser() : undefined;
  let child: ChildProcess | undefined;
  const cleanup = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGINT'); // PostgreSQL's "fast" shutdown
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (ids) chownSync(dir, ids.uid, ids.gid);
    await run(bin('initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'], ids);
    const port = await freePort();
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      port: String(port),
      unix_socket_directories: dir,
      fsync: 'on',
      synchronous_commit: 'on',
      max_connections: '50',
      ...options.settings,
    };
    const args = ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    child = spawn(bin('postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], ...ids });
    await waitReady(child, options.startTimeoutMs ?? 30_000);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      url,
      host: '127.0.0.1',
      port,
      async createDatabase(name) {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
          throw new StoreError('STORE_INVALID_ARGUMENT', `bad database name ${name}`, { name });
        }
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${name}`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new StoreError(
      'STORE_UNAVAILABLE',
      'running as root but there is no postgres user to run PostgreSQL as',
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function run(cmd: string, args: string[], ids: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...ids });
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.once('error', reject);
    p.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new StoreError('STORE_UNAVAILABLE', `${cmd} exited with ${code}: ${stderr.trim()}`, { cmd }),
          ),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves when the server logs that it accepts connections; rejects if it exits first. */
function waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () => fail(new StoreError('STORE_UNAVAILABLE', `PostgreSQL did not start in ${timeoutMs} ms: ${log}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      log += d.toString();
      if (log.includes('database system is ready to accept connections')) {
        done();
        resolve();
      }
    };
    const onExit = (code: number | null) =>
      fail(new StoreError('STORE_UNAVAILABLE', `PostgreSQL exited (${code}) while starting: ${log.trim()}`));
    const done = () => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining the server's log so a full pipe never blocks it.
      child.stderr?.resume();
    };
    const fail = (err: Error) => {
      done();
      reject(err);
    };
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}
