import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeClusterKeystore } from '@shoal/cluster';
import { clusterTls } from './harness.js';

// main.js as a child process: its datadir, start, exit and log lines.

export const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
export const TLS_PASSWORD = 'test-keystore-password';

/** A datadir with a cluster keystore made from the test certificate. */
export function datadir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-main-'));
  const tls = clusterTls();
  writeClusterKeystore({
    datadir: dir,
    password: TLS_PASSWORD,
    certificate: { certPem: tls.cert, keyPem: tls.key },
  });
  return dir;
}

export function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', CLUSTER_TLS_PASSWORD: TLS_PASSWORD, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Exit code and stderr of a child that is expected to exit by itself. */
export async function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

/** Resolves with the first JSON log line on stderr whose `msg` is `msg`. */
export function logLine(child: ChildProcess, msg: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.once('exit', (code) => reject(new Error(`exited (${code}) before logging "${msg}": ${buf}`)));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (const line of buf.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          if (o.msg === msg) resolve(o);
        } catch {
          // A line still being written: the next chunk completes it.
        }
      }
    });
  });
}
