import type { ChildProcess } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { ensureNodeSeed, nodeSeedPath } from '@shoal/identity';
import { datadir, run } from './main-process.js';

// Backend processes with `cluster.leader-elector = etcd` (failover tests): same node seed in every
// datadir, one etcd, one PostgreSQL database.

export const API_PASSWORD = 'failover-pw';
export const AUTH = `Basic ${Buffer.from(`:${API_PASSWORD}`).toString('base64')}`;

/** One backend child process and what the test needs to reach it. */
export interface HaChild {
  name: string;
  dir: string;
  child: ChildProcess;
  apiPort: number;
  clusterPort: number;
  /** Everything it wrote on stderr (its JSON log). */
  log(): string;
  /** Resolves with the exit code (or signal) once it exits. */
  exit: Promise<number | string>;
}

/** Datadirs sharing one node seed (every backend of a node has the same identity). */
export async function haDatadirs(n: number): Promise<string[]> {
  const dirs = Array.from({ length: n }, () => datadir());
  await ensureNodeSeed(dirs[0]!);
  for (const d of dirs.slice(1)) copyFileSync(nodeSeedPath(dirs[0]!), nodeSeedPath(d));
  return dirs;
}

export interface HaChildOptions {
  name: string;
  dir: string;
  etcd: string;
  pgHosts: string;
  database: string;
  apiPort: number;
  clusterPort: number;
  seeds?: string[];
  extra?: string[];
}

export function startHaChild(o: HaChildOptions): HaChild {
  const child = run(
    [
      `--datadir=${o.dir}`,
      '--chain=regtest',
      `--cluster.id=${o.name}`,
      '--cluster.host=127.0.0.1',
      `--cluster.port=${o.clusterPort}`,
      ...(o.seeds === undefined ? [] : [`--cluster.seed-nodes=${o.seeds.join(',')}`]),
      '--cluster.failure-detector.threshold=2s',
      '--cluster.failure-detector.heartbeat-interval=500ms',
      '--cluster.leader-elector=etcd',
      `--cluster.etcd.endpoints=${o.etcd}`,
      '--cluster.leader-session-ttl=2s',
      '--db.driver=postgres',
      `--db.postgres.hosts=${o.pgHosts}`,
      `--db.postgres.database=${o.database}`,
      '--db.postgres.username=postgres',
      '--peer.reconnect.enabled=false',
      '--api.enabled=true',
      `--api.port=${o.apiPort}`,
      '--log.level=debug',
      ...(o.extra ?? []),
    ],
    { SHOAL_API_PASSWORD: API_PASSWORD },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    log += d;
  });
  child.stdout?.resume();
  const exit = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    name: o.name,
    dir: o.dir,
    child,
    apiPort: o.apiPort,
    clusterPort: o.clusterPort,
    log: () => log,
    exit,
  };
}

/** The JSON log lines of `c` whose `msg` is `msg`. */
export function logLines(c: HaChild, msg: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of c.log().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (o.msg === msg) out.push(o);
    } catch {
      // The last line may be incomplete.
    }
  }
  return out;
}

/** POST /<call> with the API password; status and parsed JSON (undefined when unreachable). */
export async function api(
  port: number,
  call: string,
  form: Record<string, string> = {},
): Promise<{ status: number; json: unknown } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/${call}`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(2_000),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
  } catch {
    return undefined; // not listening (yet, or any more)
  }
}

/** Polls `probe` every 50 ms until it returns a value; rejects after `timeoutMs` naming `what` (and `context`'s log tail). */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  context?: HaChild,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    const exited =
      context !== undefined && (context.child.exitCode !== null || context.child.signalCode !== null);
    if (Date.now() > end || exited) {
      const tail = context === undefined ? '' : `; ${context.name}'s log:\n${context.log().slice(-4000)}`;
      throw new Error(`${exited ? 'exited' : `timed out after ${timeoutMs} ms`} waiting for ${what}${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILLs what still runs and removes the datadirs. */
export async function cleanup(children: HaChild[], dirs: string[]): Promise<void> {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await c.exit;
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
