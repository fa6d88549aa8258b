import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeClusterKeystore } from '@shoal/cluster';
import { clusterTls } from './harness.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const TLS_PASSWORD = 'test-keystore-password';

/** A datadir with a cluster keystore made from the test certificate. */
function datadir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-main-'));
  const tls = clusterTls();
  writeClusterKeystore({
    datadir: dir,
    password: TLS_PASSWORD,
    certificate: { certPem: tls.cert, keyPem: tls.key },
  });
  return dir;
}

function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', CLUSTER_TLS_PASSWORD: TLS_PASSWORD, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Exit code and stderr of a child that is expected to exit by itself. */
async function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

/** Resolves with the first JSON log line on stderr whose `msg` is `msg`. */
function logLine(child: ChildProcess, msg: string): Promise<Record<string, unknown>> {
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

describe('main.js', { timeout: 60_000 }, () => {
  test('an unknown config key: exit 2 with a message naming the key', async (t) => {
    const dir = datadir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const r = await exited(run([`--datadir=${dir}`, '--api.prot=8080']));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^shoal-backend: invalid configuration: api\.prot: unknown key/);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  });

  test('a bad value names the key; a missing keystore names the file', async (t) => {
    const dir = datadir();
    const empty = mkdtempSync(join(tmpdir(), 'shoal-main-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(empty, { recursive: true, force: true });
    });
    const bad = await exited(run([`--datadir=${dir}`, '--cluster.port=12abc']));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cluster\.port/);
    const noTls = await exited(run([`--datadir=${empty}`, '--chain=regtest']));
    assert.equal(noTls.code, 2);
    assert.match(noTls.stderr, /cluster\.p12.*shoal-certs/);
    const noPassword = await exited(run([`--datadir=${dir}`], { CLUSTER_TLS_PASSWORD: '' }));
    assert.equal(noPassword.code, 2);
    assert.match(noPassword.stderr, /cluster\.tls\.password/);
  });

  test('starts (seed created 0600, API answers), stops on SIGTERM with exit 0', async (t) => {
    const dir = datadir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const child = run(
      [
        `--datadir=${dir}`,
        '--chain=regtest',
        '--cluster.port=0',
        '--api.enabled=true',
        '--api.port=0',
        '--node-alias=main-test',
      ],
      { SHOAL_API_PASSWORD: 'pw' },
    );
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const started = await logLine(child, 'backend started');
    assert.match(String(started.nodeId), /^0[23][0-9a-f]{64}$/);
    assert.equal(started.chainSource, 'embedded-regtest');
    assert.equal(statSync(join(dir, 'node_seed.dat')).mode & 0o777, 0o600);
    const res = await fetch(`http://127.0.0.1:${started.apiPort}/getinfo`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(':pw').toString('base64')}` },
    });
    const info = (await res.json()) as Record<string, unknown>;
    assert.equal(info.nodeId, started.nodeId);
    assert.equal(info.alias, 'main-test');
    assert.equal(info.blockHeight, 0);
    assert.equal(info.chainHash, '06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f');
    const metrics = await fetch(`http://127.0.0.1:${started.apiPort}/metrics`);
    assert.equal(metrics.status, 200);
    const done = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await done) as [number | null];
    assert.equal(code, 0);
  });
});
