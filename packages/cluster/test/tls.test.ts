import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ClusterError } from '../src/errors.js';
import { loadClusterTls, tlsPasswordFromEnv, writeClusterKeystore } from '../src/tls/certificate.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

describe('cluster certificate', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-certs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a 0600 PKCS#12 keystore that loads with the right password only', () => {
    const path = writeClusterKeystore({ datadir: join(dir, 'a'), password: 'secret' });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const tls = loadClusterTls({ path, password: 'secret' });
    assert.match(tls.cert, /BEGIN CERTIFICATE/);
    assert.match(tls.key, /BEGIN RSA PRIVATE KEY|BEGIN PRIVATE KEY/);
    assert.equal(tls.ca, tls.cert);
    assert.throws(
      () => loadClusterTls({ path, password: 'wrong' }),
      (e) => e instanceof ClusterError && e.code === 'CLUSTER_TLS_BAD_PASSWORD',
    );
    assert.throws(
      () => loadClusterTls({ path: join(dir, 'nope.p12'), password: 'secret' }),
      (e) => e instanceof ClusterError && e.code === 'CLUSTER_TLS_MISSING',
    );
    assert.throws(
      () => writeClusterKeystore({ datadir: join(dir, 'a'), password: 'secret' }),
      (e) => e instanceof ClusterError && e.code === 'CLUSTER_TLS_EXISTS',
    );
  });

  it('reads the password from CLUSTER_TLS_PASSWORD or AKKA_TLS_PASSWORD', () => {
    assert.equal(tlsPasswordFromEnv({ CLUSTER_TLS_PASSWORD: 'a', AKKA_TLS_PASSWORD: 'b' }), 'a');
    assert.equal(tlsPasswordFromEnv({ AKKA_TLS_PASSWORD: 'b' }), 'b');
    assert.throws(
      () => tlsPasswordFromEnv({}),
      (e) => e instanceof ClusterError && e.code === 'CLUSTER_TLS_NO_PASSWORD',
    );
  });

  it('bin/shoal-certs generates, refuses to overwrite, and needs the password', async () => {
    const datadir = join(dir, 'cli');
    const env = { ...process.env, CLUSTER_TLS_PASSWORD: 'pw' };
    await run(join(root, 'bin', 'shoal-certs'), ['--datadir', datadir], { env });
    assert.match(loadClusterTls({ path: join(datadir, 'cluster.p12'), password: 'pw' }).cert, /CERTIFICATE/);
    await assert.rejects(
      run(join(root, 'bin', 'shoal-certs'), ['--datadir', datadir], { env }),
      /already exists/,
    );
    const noPw = { ...process.env, CLUSTER_TLS_PASSWORD: '', AKKA_TLS_PASSWORD: '' };
    await assert.rejects(
      run(join(root, 'bin', 'shoal-certs'), ['--datadir', join(dir, 'x')], { env: noPw }),
      /CLUSTER_TLS_PASSWORD/,
    );
  });
});
