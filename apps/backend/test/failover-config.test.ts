import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { backendSchema, ConfigError, loadConfig } from '@shoal/config';
import { electorOptions } from '../src/ha/elector-options.js';
import { backendSeeds } from '../src/run.js';

// Configuration of backend failover (issue 7): keys, rules, and what the elector is given.

const T = { timeout: 10_000 };

function load(dir: string, argv: string[]) {
  return loadConfig(backendSchema, { argv: [`--datadir=${dir}`, ...argv], env: {} });
}

const ETCD = [
  '--cluster.leader-elector=etcd',
  '--db.driver=postgres',
  '--cluster.etcd.endpoints=https://e1:2379,https://e2:2379',
];

describe('failover configuration', () => {
  test('etcd elector options: name, candidate, prefix, TTL in whole seconds, TLS files, auth', T, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-ha-config-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    writeFileSync(join(dir, 'client.pem'), 'CERT');
    writeFileSync(join(dir, 'client.key'), 'KEY');
    const config = load(dir, [
      ...ETCD,
      '--cluster.name=mynode',
      '--cluster.id=backend-a',
      '--cluster.etcd-election-prefix=/x/',
      '--cluster.leader-session-ttl=2500ms',
      '--cluster.etcd.tls.ca=ca.pem',
      '--cluster.etcd.tls.cert=client.pem',
      '--cluster.etcd.tls.key=client.key',
      '--cluster.etcd.username=shoal',
      '--cluster.etcd.password=secret',
    ]);
    const o = electorOptions(config, '10.0.0.1:25520');
    assert.equal(o.kind, 'etcd');
    if (o.kind !== 'etcd') return;
    assert.deepEqual(o.endpoints, ['https://e1:2379', 'https://e2:2379']);
    assert.equal(o.clusterId, 'mynode');
    assert.equal(o.candidateId, 'backend-a');
    assert.equal(o.prefix, '/x/');
    assert.equal(o.ttlSeconds, 3, 'rounded up: etcd leases count whole seconds');
    assert.equal(o.advertise, '10.0.0.1:25520');
    assert.equal(Buffer.from(o.tls?.ca ?? []).toString(), 'CA');
    assert.equal(Buffer.from(o.tls?.cert ?? []).toString(), 'CERT');
    assert.equal(Buffer.from(o.tls?.key ?? []).toString(), 'KEY');
    assert.deepEqual(o.auth, { username: 'shoal', password: 'secret' });
  });

  test(
    'defaults: cluster.name shoal, candidate = host name, TTL 2 s, no TLS or auth; none by default',
    T,
    (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'shoal-ha-config-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const o = electorOptions(load(dir, ETCD), 'a:1');
      assert.ok(o.kind === 'etcd');
      assert.equal(o.clusterId, 'shoal');
      assert.equal(o.candidateId, hostname());
      assert.equal(o.ttlSeconds, 2);
      assert.equal(o.tls, undefined);
      assert.equal(o.auth, undefined);
      assert.equal(electorOptions(load(dir, []), 'a:1').kind, 'none');
    },
  );

  test(
    'rules: etcd needs postgres and endpoints; cert and key, user and password go together; a missing TLS file is named',
    T,
    (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'shoal-ha-config-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const fails = (argv: string[], pattern: RegExp) =>
        assert.throws(
          () => load(dir, argv),
          (err: unknown) => err instanceof ConfigError && pattern.test(err.message),
        );
      fails(
        ['--cluster.leader-elector=etcd', '--cluster.etcd.endpoints=http://e:2379'],
        /db\.driver: must be postgres/,
      );
      fails(
        ['--cluster.leader-elector=etcd', '--db.driver=postgres'],
        /cluster\.etcd\.endpoints: is required/,
      );
      fails(
        [...ETCD, '--cluster.etcd.tls.cert=c.pem'],
        /cluster\.etcd\.tls\.key: is required when cluster\.etcd\.tls\.cert/,
      );
      fails([...ETCD, '--cluster.etcd.username=u'], /cluster\.etcd\.password: is required/);
      fails([...ETCD, '--cluster.id=bad name'], /cluster\.id/);
      const missing = load(dir, [...ETCD, '--cluster.etcd.tls.ca=nope.pem']);
      assert.throws(
        () => electorOptions(missing, 'a:1'),
        (err: unknown) => err instanceof ConfigError && /cluster\.etcd\.tls\.ca.*nope\.pem/.test(err.message),
      );
    },
  );

  test(
    'mesh seeds of a backend: itself first, then the configured seeds and the members its follower knew',
    T,
    (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'shoal-ha-config-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const config = load(dir, [
        ...ETCD,
        '--cluster.host=10.0.0.2',
        '--cluster.seed-nodes=10.0.0.1:25520,10.0.0.2:25520,10.0.0.9:25520',
      ]);
      const handover = {
        apiPort: 0,
        clusterPort: 25520,
        members: ['10.0.0.9:25520', '10.0.0.7:25520'],
        release: async () => {},
      };
      assert.deepEqual(backendSeeds(config, 25520, handover), [
        '10.0.0.2:25520',
        '10.0.0.1:25520',
        '10.0.0.9:25520',
        '10.0.0.7:25520',
      ]);
      // `none` with seeds keeps them as given (today's behaviour); without seeds, itself.
      const single = load(dir, ['--cluster.host=10.0.0.2']);
      assert.deepEqual(backendSeeds(single, 25520, undefined), ['10.0.0.2:25520']);
    },
  );
});
