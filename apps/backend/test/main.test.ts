import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { datadir, exited, logLine, run } from './main-process.js';

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
