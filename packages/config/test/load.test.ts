import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { backendSchema, ConfigError, describeConfig, frontendSchema, loadConfig } from '../src/index.js';
import { G_PUB, ONE_PRIV, tempDatadir } from './helpers.js';

const dirs: Array<() => void> = [];
function datadir(conf?: string): string {
  const d = tempDatadir(conf);
  dirs.push(d.cleanup);
  return d.dir;
}

function loadError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', { timeout: 20_000 }, () => {
  after(() => {
    for (const c of dirs) c();
  });

  it('uses the defaults when nothing is given, typed and frozen', () => {
    const c = loadConfig(backendSchema, { datadir: datadir(), env: {}, argv: [] });
    assert.equal(c.chain, 'mainnet');
    assert.equal(c.cluster.port, 25520);
    assert.equal(c.cluster['failure-detector'].threshold, 3000);
    assert.equal(c.api.enabled, false);
    assert.equal(c.api.password, null);
    assert.equal(c.bitcoind.rpcport, 8332);
    assert.deepEqual(c.db.postgres.hosts, [{ host: 'localhost', port: 5432 }]);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.cluster) && Object.isFrozen(c.db.postgres.hosts));
    assert.throws(() => {
      (c.cluster as { port: number }).port = 1;
    }, TypeError);
  });

  it('layers defaults < file < environment < flags, each overriding the one below', () => {
    const dir = datadir('server.port = 9001\nfront.http-port = 9101\ncluster.port = 9201\nchain = testnet\n');
    const env = { SHOAL_FRONT_HTTP_PORT: '9102', SHOAL_CLUSTER_PORT: '9202', NODE_PUB_KEY: G_PUB };
    const argv = ['--cluster.port=9203', '--socks5.port', '9303'];
    const c = loadConfig(frontendSchema, { datadir: dir, env, argv });
    assert.equal(c.server.port, 9001); // file over default
    assert.equal(c.front['http-port'], 9102); // env over file
    assert.equal(c.cluster.port, 9203); // flag over env over file
    assert.equal(c.socks5.port, 9303); // flag over default, "--key value" form
    assert.equal(c.chain, 'testnet');
    assert.equal(c['peer-connection']['ping-interval'], 30_000); // default
    const described = describeConfig(c);
    assert.match(described, /^cluster\.port = 9203 \(flag --cluster\.port\)$/m);
    assert.match(described, /^front\.http-port = 9102 \(env SHOAL_FRONT_HTTP_PORT\)$/m);
    assert.match(described, new RegExp(`^server\\.port = 9001 \\(file ${dir}/shoal\\.conf\\)$`, 'm'));
  });

  it('finds the file through --datadir and SHOAL_DATADIR', () => {
    const a = datadir('node-alias = from-a');
    const b = datadir('node-alias = from-b');
    const viaEnv = loadConfig(backendSchema, { env: { SHOAL_DATADIR: a }, argv: [] });
    assert.equal(viaEnv['node-alias'], 'from-a');
    assert.equal(viaEnv.datadir, a);
    assert.match(describeConfig(viaEnv), /^datadir = ".*" \(env SHOAL_DATADIR\)$/m);
    const viaOption = loadConfig(backendSchema, { datadir: a, env: {}, argv: [] });
    assert.match(describeConfig(viaOption), /^datadir = ".*" \(option datadir\)$/m);
    const viaFlag = loadConfig(backendSchema, { env: { SHOAL_DATADIR: a }, argv: [`--datadir=${b}`] });
    assert.equal(viaFlag['node-alias'], 'from-b');
    const e = loadError(() =>
      loadConfig(backendSchema, { datadir: datadir(`datadir = ${b}`), env: {}, argv: [] }),
    );
    assert.equal(e.meta.issues[0]?.key, 'datadir');
  });

  it('reads JSON files and eclair.conf-style blocks', () => {
    const json = datadir(
      '{ "api": { "enabled": true, "password": "pw" }, "cluster": { "seed-nodes": ["a:1"] } }',
    );
    const c = loadConfig(backendSchema, { datadir: json, env: {}, argv: [] });
    assert.equal(c.api.enabled, true);
    assert.deepEqual(c.cluster['seed-nodes'], [{ host: 'a', port: 1 }]);
    const hocon = datadir(
      'bitcoind {\n  host = "10.1.1.1"\n  rpcport = 18443\n}\nserver.public-ips = [1.2.3.4, "[2001:db8::1]:9736"]',
    );
    const h = loadConfig(backendSchema, { datadir: hocon, env: {}, argv: [] });
    assert.equal(h.bitcoind.host, '10.1.1.1');
    assert.equal(h.bitcoind.rpcport, 18443);
    assert.deepEqual(h.server['public-ips'], [
      { host: '1.2.3.4', port: 9735 },
      { host: '2001:db8::1', port: 9736 },
    ]);
  });

  it('refuses unknown keys in the file (with line), the environment and flags', () => {
    const dir = datadir('chain = regtest\nserver.prot = 9735\n');
    const fromFile = loadError(() => loadConfig(backendSchema, { datadir: dir, env: {}, argv: [] }));
    assert.equal(fromFile.code, 'CONFIG_UNKNOWN_KEY');
    assert.deepEqual(fromFile.meta.issues[0], {
      code: 'CONFIG_UNKNOWN_KEY',
      key: 'server.prot',
      reason: 'unknown key (not in the schema of this program)',
      source: `file ${dir}/shoal.conf`,
      line: 2,
      column: 1,
    });
    const fromEnv = loadError(() =>
      loadConfig(backendSchema, { datadir: datadir(), env: { SHOAL_API_PORTT: '1' }, argv: [] }),
    );
    assert.equal(fromEnv.code, 'CONFIG_UNKNOWN_KEY');
    assert.match(fromEnv.message, /SHOAL_API_PORTT: unknown environment variable/);
    const fromFlag = loadError(() =>
      loadConfig(backendSchema, { datadir: datadir(), env: {}, argv: ['--api.prot=1'] }),
    );
    assert.equal(fromFlag.code, 'CONFIG_UNKNOWN_KEY');
    assert.match(fromFlag.message, /api\.prot: unknown key .*flag --api\.prot/);
    const section = loadError(() =>
      loadConfig(backendSchema, { datadir: datadir('api = 1'), env: {}, argv: [] }),
    );
    assert.match(section.message, /api: is a section/);
    // A key of the other program is unknown here: the frontend's peer port is not a backend key.
    const other = loadError(() =>
      loadConfig(backendSchema, { datadir: datadir(), env: {}, argv: ['--server.port=1'] }),
    );
    assert.equal(other.code, 'CONFIG_UNKNOWN_KEY');
    const positional = loadError(() =>
      loadConfig(backendSchema, { datadir: datadir(), env: {}, argv: ['oops'] }),
    );
    assert.equal(positional.code, 'CONFIG_PARSE');
  });

  it('names the key, the reason, the value and the source of a bad value, and reports all problems', () => {
    const dir = datadir('api.port = 12abc\n');
    const e = loadError(() =>
      loadConfig(backendSchema, {
        datadir: dir,
        env: { SHOAL_API_ENABLED: 'maybe' },
        argv: ['--cluster.failure-detector.threshold=3 parsecs'],
      }),
    );
    assert.equal(e.code, 'CONFIG_BAD_VALUE');
    const byKey = new Map(e.meta.issues.map((i) => [i.key, i]));
    assert.match(byKey.get('api.port')?.reason ?? '', /must be between 0 and 65535|must be an integer/);
    assert.match(e.message, /api\.port: must be an integer; value was "12abc" \(file .*shoal\.conf:1:1\)/);
    assert.match(e.message, /api\.enabled: must be a boolean.*value was "maybe" \(env SHOAL_API_ENABLED\)/);
    assert.match(e.message, /cluster\.failure-detector\.threshold: must be a duration.*\(flag --cluster/);
    assert.equal(e.meta.issues.length, 3);
  });

  it('X=0 is false, not true as with convict Boolean', () => {
    const c = loadConfig(backendSchema, {
      datadir: datadir(),
      env: { SHOAL_PEER_RECONNECT_ENABLED: '0' },
      argv: [],
    });
    assert.equal(c.peer.reconnect.enabled, false);
    const f = loadConfig(backendSchema, {
      datadir: datadir(),
      env: {},
      argv: ['--api.enabled', '--api.password', 'x'],
    });
    assert.equal(f.api.enabled, true);
  });

  it('honours the Eclair front variables', () => {
    const env = {
      BACKEND_IP: '10.0.0.9',
      LOCAL_IP: '10.0.0.5',
      NODE_PUB_KEY: G_PUB,
      NODE_PRIV_KEY: ONE_PRIV,
    };
    const c = loadConfig(frontendSchema, {
      datadir: datadir('front.priv-key-provider = env'),
      env,
      argv: [],
    });
    assert.equal(c.cluster.host, '10.0.0.5');
    assert.equal(c.front.backend.ip, '10.0.0.9');
    assert.deepEqual(c.cluster['seed-nodes'], [{ host: '10.0.0.9', port: 25520 }]);
    assert.equal(c.front['pub-key'], G_PUB);
    assert.equal(c.front['priv-key'], ONE_PRIV);
    assert.match(
      describeConfig(c),
      /cluster\.seed-nodes = \[10\.0\.0\.9:25520\] \(derived from front\.backend\.ip \(env BACKEND_IP\)\)/,
    );
    // Explicit seed nodes win over BACKEND_IP; the SHOAL_ name wins over the alias.
    const d = loadConfig(frontendSchema, {
      datadir: datadir('cluster.seed-nodes = ["b:1"]'),
      env: { ...env, SHOAL_CLUSTER_HOST: '10.0.0.6' },
      argv: [],
    });
    assert.deepEqual(d.cluster['seed-nodes'], [{ host: 'b', port: 1 }]);
    assert.equal(d.cluster.host, '10.0.0.6');
  });

  it('CLUSTER_TLS_PASSWORD wins over AKKA_TLS_PASSWORD, which still works alone', () => {
    const both = loadConfig(backendSchema, {
      datadir: datadir(),
      env: { CLUSTER_TLS_PASSWORD: 'a', AKKA_TLS_PASSWORD: 'b' },
      argv: [],
    });
    assert.equal(both.cluster.tls.password, 'a');
    const akka = loadConfig(backendSchema, {
      datadir: datadir(),
      env: { AKKA_TLS_PASSWORD: 'b', CLUSTER_TLS_PASSWORD: '' },
      argv: [],
    });
    assert.equal(akka.cluster.tls.password, 'b');
  });

  it('applies SHOAL_CONF at the environment level', () => {
    const dir = datadir('api.port = 1111\nnode-alias = file');
    const env = { SHOAL_CONF: 'api.port=2222; node-alias="a;b" ;chain=regtest', SHOAL_CHAIN: 'signet' };
    const c = loadConfig(backendSchema, { datadir: dir, env, argv: ['--api.port=3333'] });
    assert.equal(c['node-alias'], 'a;b'); // over the file
    assert.equal(c.chain, 'signet'); // SHOAL_<KEY> over SHOAL_CONF
    assert.equal(c.api.port, 3333); // flags over SHOAL_CONF
    assert.equal(c.bitcoind.rpcport, 38332); // derived from chain
    const e = loadError(() =>
      loadConfig(backendSchema, { datadir: datadir(), env: { SHOAL_CONF: 'nope=1;novalue' }, argv: [] }),
    );
    assert.deepEqual(
      e.meta.issues.map((i) => [i.code, i.key]),
      [
        ['CONFIG_UNKNOWN_KEY', 'nope'],
        ['CONFIG_PARSE', 'SHOAL_CONF'],
      ],
    );
  });

  it('reports missing required keys with the names that can set them', () => {
    const e = loadError(() => loadConfig(frontendSchema, { datadir: datadir(), env: {}, argv: [] }));
    assert.equal(e.code, 'CONFIG_MISSING');
    assert.match(
      e.message,
      /front\.pub-key: is required: set it in shoal\.conf, with SHOAL_FRONT_PUB_KEY or NODE_PUB_KEY or --front\.pub-key/,
    );
    const api = loadError(() =>
      loadConfig(backendSchema, { datadir: datadir(), env: { SHOAL_API_ENABLED: 'yes' }, argv: [] }),
    );
    assert.equal(api.code, 'CONFIG_MISSING');
    assert.match(api.message, /api\.password: is required when api\.enabled = true/);
    const priv = loadError(() =>
      loadConfig(frontendSchema, {
        datadir: datadir(),
        env: { NODE_PUB_KEY: G_PUB },
        argv: ['--front.priv-key-provider=env'],
      }),
    );
    assert.match(priv.message, /front\.priv-key: is required when front\.priv-key-provider = env/);
    const etcd = loadError(() =>
      loadConfig(backendSchema, { datadir: datadir(), env: {}, argv: ['--cluster.leader-elector=etcd'] }),
    );
    assert.match(etcd.message, /cluster\.etcd\.endpoints: is required when cluster\.leader-elector = etcd/);
  });

  it('ConfigError survives JSON', () => {
    const e = loadError(() => loadConfig(backendSchema, { datadir: datadir(), env: {}, argv: ['--x=1'] }));
    const back = ConfigError.fromJSON(JSON.parse(JSON.stringify(e)));
    assert.equal(back.code, 'CONFIG_UNKNOWN_KEY');
    assert.equal(back.message, e.message);
    assert.deepEqual(back.meta, e.meta);
  });
});
