/**
 * Child processes of the failover bench (etcd, backends, a frontend): output tail kept for error
 * messages, every child killed on exit (also on SIGINT and on the watchdog).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  tail(): string;
  exited(): boolean;
  /** Resolves once the process is gone. */
  gone(): Promise<void>;
}

const procs = new Set<Proc>();

export function start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (chunk: Buffer): void => {
    out = (out + chunk.toString('utf8')).slice(-8192);
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[${name}] ${chunk.toString('utf8')}`);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = once(child, 'exit').then(() => undefined);
  const p: Proc = {
    name,
    child,
    tail: () => out,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    gone: () => exit,
  };
  procs.add(p);
  void exit.then(() => procs.delete(p));
  return p;
}

/** SIGKILLs (after SIGCONT, in case it is frozen) every child still running and waits for them. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...procs].map(async (p) => {
      if (p.exited()) return;
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
      await p.gone();
    }),
  );
}

/** For `process.on('exit')`: no waiting possible there. */
export function killAllSync(): void {
  for (const p of procs) if (!p.exited()) p.child.kill('SIGKILL');
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `cond` every `intervalMs` until true; throws after `timeoutMs` or when `proc` exits. */
export async function until(
  what: string,
  cond: () => Promise<boolean> | boolean,
  timeoutMs: number,
  proc?: Proc,
  intervalMs = 20,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(cond)
        .catch(() => false)
    )
      return;
    if (proc?.exited()) throw new Error(`${proc.name} exited while waiting for ${what}:\n${proc.tail()}`);
    if (Date.now() > end)
      throw new Error(`${what}: not within ${timeoutMs} ms${proc ? `\n${proc.tail()}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** etcd (Debian `etcd-server`) on two loopback ports, data in `dir`. */
export async function startEtcd(dir: string): Promise<{ endpoint: string; proc: Proc }> {
  const endpoint = `http://127.0.0.1:${await freePort()}`;
  const peer = `http://127.0.0.1:${await freePort()}`;
  const proc = start('etcd', 'etcd', [
    '--name=bench',
    `--data-dir=${dir}`,
    `--listen-client-urls=${endpoint}`,
    `--advertise-client-urls=${endpoint}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=bench=${peer}`,
    '--initial-cluster-state=new',
    '--heartbeat-interval=100',
    '--election-timeout=500',
    '--logger=zap',
    '--log-level=warn',
  ]);
  await until(
    'etcd healthy',
    async () => {
      const r = await fetch(`${endpoint}/health`);
      return r.ok && ((await r.json()) as { health?: string }).health === 'true';
    },
    20_000,
    proc,
  );
  return { endpoint, proc };
}
