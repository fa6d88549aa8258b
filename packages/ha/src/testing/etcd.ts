import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HaError } from '../errors.js';

/** A single-member etcd on loopback, for tests (here and in the apps' failover tests). */
export interface TestEtcd {
  /** Client URL, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  /** Stops the server (SIGKILL, as a crash) and waits for it to exit; data stays. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data directory. */
  restart(): Promise<void>;
  /** Kills it and removes its data directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (for tests; another process may take it before it is used). */
export function freePort(): Promise<number> {
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

/** Starts `etcd` (Debian `etcd-server`) in a temp dir on two free loopback ports. */
export async function startEtcd(bin = 'etcd'): Promise<TestEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name=test',
    `--data-dir=${join(dir, 'data')}`,
    `--listen-client-urls=${endpoint}`,
    `--advertise-client-urls=${endpoint}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=test=${peer}`,
    '--initial-cluster-state=new',
    // Small timings as a test (and a tight production cluster) would use.
    '--heartbeat-interval=100',
    '--election-timeout=500',
    '--logger=zap',
    '--log-outputs=stderr',
  ];
  let child: ChildProcess | undefined;
  const launch = async () => {
    const c = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    let log = '';
    let exited: string | undefined;
    c.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000); // keep the tail for error messages; drains the pipe
    });
    c.once('exit', (code) => {
      exited = `etcd exited (${code}) while starting: ${log}`;
    });
    // Ready when /health says so (its log lines differ between etcd versions and loggers).
    const end = Date.now() + 20_000;
    for (;;) {
      if (exited) throw new HaError('HA_ETCD_UNAVAILABLE', exited);
      if (Date.now() > end) throw new HaError('HA_ETCD_UNAVAILABLE', `etcd did not start in 20 s: ${log}`);
      const ok = await fetch(`${endpoint}/health`).then(
        async (r) => r.ok && ((await r.json()) as { health?: string }).health === 'true',
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  };
  try {
    await launch();
  } catch (err) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoint,
    kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
