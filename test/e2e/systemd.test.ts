// Issue 8 systemd: deploy/systemd's units pass `systemd-analyze verify` (any message fails the
// test), keep their hardening and restart policy, and their ExecStart with environment files in
// the examples' shape really starts a backend and a frontend that joins it.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, freePort, startProcess, stopAll } from '../lib/processes.js';
import { makeTestNode, ROOT, type TestNode } from '../lib/shoal.js';
import {
  parseEnvFile,
  parseEnvironment,
  parseUnit,
  systemdAnalyze,
  type Unit,
  unitValue,
  unitValues,
} from '../lib/systemd.js';

const DIR = join(ROOT, 'deploy/systemd');
const INSTALL_DIR = '/opt/shoal';
const UNITS = ['shoal-backend.service', 'shoal-front@.service'] as const;

function read(file: string): string {
  return readFileSync(join(DIR, file), 'utf8');
}

/** Seconds of a systemd time span like `30s`, `5min`, `1h`. */
function seconds(span: string | undefined): number {
  const m = /^(\d+)\s*(ms|s|min|h)?$/.exec(span ?? '');
  assert.ok(m?.[1] !== undefined, `time span ${span}`);
  const unit = { ms: 0.001, s: 1, min: 60, h: 3600 }[m[2] ?? 's'] ?? 1;
  return Number(m[1]) * unit;
}

describe('systemd units', { timeout: 120_000 }, () => {
  let tmp: string;
  let node: TestNode;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'shoal-systemd-'));
    node = await makeTestNode();
  });

  after(async () => {
    await stopAll();
    node?.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** A copy of `file` in a fresh directory with the install dir pointing at this repository (so ExecStart exists). */
  function localCopy(file: string, as = file, edit: (text: string) => string = (t) => t): string {
    const dir = mkdtempSync(join(tmp, 'unit-'));
    const path = join(dir, as);
    writeFileSync(path, edit(read(file).replaceAll(INSTALL_DIR, ROOT)));
    return path;
  }

  async function verify(path: string): Promise<{ code: number; output: string }> {
    return systemdAnalyze(['verify', '--man=no', path], tmp);
  }

  it('systemd-analyze verify reports nothing for each unit (the template also as an instance)', async () => {
    for (const [file, as] of [
      ['shoal-backend.service', 'shoal-backend.service'],
      ['shoal-front@.service', 'shoal-front@.service'],
      ['shoal-front@.service', 'shoal-front@a.service'],
    ] as const) {
      const r = await verify(localCopy(file, as));
      assert.equal(r.output.trim(), '', `${as}: systemd-analyze verify printed something`);
      assert.equal(r.code, 0, `${as}: exit code`);
    }
  });

  it('the check can fail: verify flags an unknown key, and ExecStart under a missing install dir', async () => {
    const typo = await verify(
      localCopy('shoal-backend.service', undefined, (t) => t.replace('PrivateTmp=', 'PrivateTemp=')),
    );
    assert.match(typo.output, /Unknown key 'PrivateTemp'/);
    const dir = mkdtempSync(join(tmp, 'unit-'));
    copyFileSync(join(DIR, 'shoal-backend.service'), join(dir, 'shoal-backend.service'));
    const missing = await verify(join(dir, 'shoal-backend.service'));
    assert.notEqual(missing.code, 0);
    assert.match(missing.output, /\/opt\/shoal\/bin\/eclair-node\.sh is not executable/);
  });

  it('systemd-analyze security (offline) rates each unit 2.0 or better', async () => {
    for (const as of ['shoal-backend.service', 'shoal-front@a.service']) {
      const file = as.startsWith('shoal-front') ? 'shoal-front@.service' : as;
      const r = await systemdAnalyze(
        ['security', '--offline=yes', '--threshold=20', '--no-pager', localCopy(file, as)],
        tmp,
      );
      const level = /Overall exposure level for \S+: ([\d.]+)/.exec(r.output)?.[1];
      assert.equal(r.code, 0, `${as}: exposure ${level} over 2.0\n${r.output}`);
      assert.ok(level !== undefined && Number(level) <= 2, `${as}: exposure ${level}`);
    }
  });

  it('hardening, the dedicated user, the data directory as the only writable path, restart policy and limits', () => {
    const units = new Map<string, Unit>(UNITS.map((f) => [f, parseUnit(read(f))]));
    for (const [file, u] of units) {
      const expect: Record<string, string> = {
        User: 'shoal',
        Group: 'shoal',
        NoNewPrivileges: 'yes',
        ProtectSystem: 'strict',
        ProtectHome: 'yes',
        PrivateTmp: 'yes',
        PrivateDevices: 'yes',
        ProtectKernelTunables: 'yes',
        ProtectKernelModules: 'yes',
        ProtectControlGroups: 'yes',
        RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
        RestrictNamespaces: 'yes',
        RestrictSUIDSGID: 'yes',
        LockPersonality: 'yes',
        CapabilityBoundingSet: '',
        Restart: 'on-failure',
        RestartPreventExitStatus: '2',
        Type: 'simple',
      };
      for (const [key, value] of Object.entries(expect)) {
        assert.equal(unitValue(u, 'Service', key), value, `${file}: ${key}`);
      }
      const writable = unitValues(u, 'Service', 'ReadWritePaths');
      assert.equal(writable.length, 1, `${file}: one ReadWritePaths`);
      assert.match(
        writable[0] ?? '',
        /^\/var\/lib\/shoal\/(backend|front-%i)$/,
        `${file}: only the data directory`,
      );
      assert.equal(
        `/var/lib/${unitValues(u, 'Service', 'StateDirectory').join(' ')}`,
        writable[0],
        `${file}: systemd creates exactly the writable data directory`,
      );
      const datadir = parseEnvironment(unitValues(u, 'Service', 'Environment')).get('SHOAL_DATADIR') ?? '';
      assert.equal(datadir, writable[0], `${file}: SHOAL_DATADIR is the writable path`);
      assert.ok(Number(unitValue(u, 'Service', 'LimitNOFILE')) >= 65_536, `${file}: LimitNOFILE`);
      assert.match(
        unitValue(u, 'Service', 'EnvironmentFile') ?? '',
        /^\/etc\/shoal\/(backend|front-%i)\.env$/,
      );
      assert.equal(unitValue(u, 'Service', 'ExecStart')?.startsWith(`${INSTALL_DIR}/bin/eclair-`), true);
      assert.ok(Number(unitValue(u, 'Unit', 'StartLimitBurst')) > 0, `${file}: StartLimitBurst`);
    }
    const back = units.get('shoal-backend.service') as Unit;
    const front = units.get('shoal-front@.service') as Unit;
    // The backend is never restarted in a tight loop; stateless frontends come back fast.
    assert.ok(seconds(unitValue(back, 'Service', 'RestartSec')) >= 10, 'backend RestartSec');
    assert.ok(Number(unitValue(back, 'Unit', 'StartLimitBurst')) <= 5, 'backend StartLimitBurst');
    assert.ok(
      seconds(unitValue(back, 'Unit', 'StartLimitIntervalSec')) >= 600,
      'backend StartLimitIntervalSec',
    );
    assert.ok(seconds(unitValue(front, 'Service', 'RestartSec')) <= 5, 'frontend RestartSec');
  });

  it('the HA drop-in restarts a deposed leader (exit 75) fast, and verify accepts the unit with it applied', async () => {
    const dropIn = parseUnit(read('shoal-backend-ha.conf'));
    // A deposed leader must come back as the standby quickly, and often enough for a chaos-prone pair.
    assert.ok(seconds(unitValue(dropIn, 'Service', 'RestartSec')) <= 5, 'HA RestartSec');
    assert.ok(Number(unitValue(dropIn, 'Unit', 'StartLimitBurst')) >= 20, 'HA StartLimitBurst');
    // Only restart tuning: the drop-in must not weaken the hardening or the restart rules.
    const keys = [...dropIn.values()].flatMap((section) => [...section.keys()]);
    assert.deepEqual(keys.sort(), ['RestartSec', 'StartLimitBurst', 'StartLimitIntervalSec']);
    // systemd applies a drop-in's single-valued keys after the unit's: the same as appending its sections.
    const merged = localCopy(
      'shoal-backend.service',
      undefined,
      (t) => `${t}\n${read('shoal-backend-ha.conf')}`,
    );
    const r = await verify(merged);
    assert.equal(r.output.trim(), '', 'verify printed something for the unit with the HA drop-in');
    assert.equal(r.code, 0);
    const effective = parseUnit(readFileSync(merged, 'utf8'));
    assert.equal(unitValue(effective, 'Service', 'Restart'), 'on-failure');
    assert.equal(
      unitValue(effective, 'Service', 'RestartPreventExitStatus'),
      '2',
      'exit 2 (config) still final',
    );
  });

  it("each unit's ExecStart, with its Environment= and an env file in the example's shape, starts a backend and a frontend that joins it", async () => {
    const [clusterPort, apiPort, frontCluster, serverPort, httpPort] = await Promise.all(
      [1, 2, 3, 4, 5].map(() => freePort()),
    );
    /** The example file with every value replaced for loopback; a name the example lacks is an error. */
    const envFor = (example: string, values: Record<string, string>): NodeJS.ProcessEnv => {
      const env = parseEnvFile(read(example));
      for (const name of Object.keys(values)) {
        if (!env.has(name) && name !== 'SHOAL_CLUSTER_SEED_NODES' && name !== 'SHOAL_DATADIR')
          assert.fail(`${example} has no ${name}`);
      }
      return { PATH: process.env.PATH, ...Object.fromEntries(env), ...values };
    };
    const start = (file: string, instance: string, env: NodeJS.ProcessEnv) => {
      const u = parseUnit(read(file).replaceAll(INSTALL_DIR, ROOT).replaceAll('%i', instance));
      const unitEnv = Object.fromEntries(parseEnvironment(unitValues(u, 'Service', 'Environment')));
      const exec = unitValue(u, 'Service', 'ExecStart') ?? '';
      return startProcess(instance, exec, [], {
        cwd: unitValue(u, 'Service', 'WorkingDirectory'),
        env: { ...unitEnv, ...env },
      });
    };
    // The backend reads the keystore from its datadir (cluster.tls.file's default): put the test one there.
    copyFileSync(node.keystore, join(node.dir, 'backend', 'cluster.p12'));
    const backend = start(
      'shoal-backend.service',
      'backend',
      envFor('backend.env.example', {
        CLUSTER_TLS_PASSWORD: node.tlsPassword,
        SHOAL_API_PASSWORD: node.apiPassword,
        SHOAL_API_PORT: String(apiPort),
        SHOAL_CHAIN: 'regtest',
        LOCAL_IP: '127.0.0.1',
        SHOAL_CLUSTER_PORT: String(clusterPort),
        SHOAL_DATADIR: join(node.dir, 'backend'),
      }),
    );
    await backend.waitFor(/"msg":"backend started"/, 30_000);
    const front = start(
      'shoal-front@.service',
      'a',
      envFor('front.env.example', {
        SHOAL_CLUSTER_TLS_FILE: node.keystore,
        CLUSTER_TLS_PASSWORD: node.tlsPassword,
        NODE_PUB_KEY: node.nodeId,
        SHOAL_FRONT_PRIV_KEY_PROVIDER: 'env',
        NODE_PRIV_KEY: node.nodePrivKey,
        BACKEND_IP: '127.0.0.1',
        LOCAL_IP: '127.0.0.1',
        SHOAL_CLUSTER_PORT: String(frontCluster),
        // One host: the backend's cluster port differs from this frontend's.
        SHOAL_CLUSTER_SEED_NODES: `127.0.0.1:${clusterPort}`,
        SHOAL_SERVER_PORT: String(serverPort),
        SHOAL_FRONT_HTTP_BINDING_IP: '127.0.0.1',
        SHOAL_FRONT_HTTP_PORT: String(httpPort),
        SHOAL_CHAIN: 'regtest',
        SHOAL_DATADIR: join(node.dir, 'front-a'),
      }),
    );
    await front.waitFor(/"msg":"frontend ready"/, 30_000);
    await eventually('frontend /ready answers 200', async () =>
      (await fetch(`http://127.0.0.1:${httpPort}/ready`)).status === 200 ? true : undefined,
    );
    // SIGTERM (the units' KillSignal) stops both cleanly: exit code 0, so Restart=on-failure leaves them down.
    await front.stop(10_000);
    assert.equal(front.child.exitCode, 0, front.output());
    await backend.stop(10_000);
    assert.equal(backend.child.exitCode, 0, backend.output());
  });
});
