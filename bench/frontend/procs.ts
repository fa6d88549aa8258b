/**
 * Child processes of the frontend bench: every one is started through `bash -c 'ulimit -n ...;
 * exec node ...'` (the fd limit cannot be raised in-process), its output kept (tail only) and
 * killed by {@link killAll}, also when the bench fails or exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The fd limit children run with (each holds up to BENCH_PEERS sockets): 65536, or the hard limit
 * when that is lower (raising the hard limit needs CAP_SYS_RESOURCE, which a container may lack).
 */
const FD_LIMIT = '$(h=$(ulimit -Hn); [ "$h" = unlimited ] || [ "$h" -ge 65536 ] && echo 65536 || echo "$h")';

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last ~8 KiB of stdout + stderr, for failure messages. */
  tail(): string;
  exited(): boolean;
}

const children = new Set<Child>();

/** Starts `node script args` with a raised fd limit. */
export function startNode(name: string, script: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const quoted = [process.execPath, script, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('bash', ['-c', `ulimit -n ${FD_LIMIT} && exec ${quoted}`], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (chunk: Buffer): void => {
    out = (out + chunk.toString('utf8')).slice(-8192);
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[${name}] ${chunk.toString('utf8')}`);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
  const c: Child = {
    name,
    pid: child.pid,
    child,
    tail: () => out,
    exited: () => child.exitCode !== null || child.signalCode !== null,
  };
  children.add(c);
  child.once('exit', () => children.delete(c));
  return c;
}

/** SIGKILLs every child still running and waits for their exit. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map(async (c) => {
      if (c.exited()) return;
      const gone = once(c.child, 'exit');
      c.child.kill('SIGKILL');
      await gone;
    }),
  );
}

/** Synchronous last resort (process 'exit'): SIGKILL whatever is left. */
export function killAllSync(): void {
  for (const c of children) if (!c.exited()) c.child.kill('SIGKILL');
}

/** Resident set size of `pid` in KiB (`VmRSS` of /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` every `intervalMs` until it returns true; throws after `timeoutMs` or if `child` exits. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  child?: Child,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child?.exited()) throw new Error(`${child.name} exited while waiting for ${what}:\n${child.tail()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${child ? `\n${child.tail()}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** GET `url` and return the body text when the status is 200, else undefined. */
export async function get(url: string, headers: Record<string, string> = {}): Promise<string | undefined> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return res.status === 200 ? text : undefined;
}
