// Issue 8, AWS Elastic Beanstalk: `npm run bundle:awseb` output unpacked into an empty directory and
// started from its Procfile as the platform does (sh -c, environment properties set, no npm on
// PATH), with fake IMDSv2 and Secrets Manager endpoints; the frontend must join a real backend and
// accept a Lightning peer.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type * as FakeSm from '../../packages/identity/dist/test/fake-secrets-manager.js';
import { type FakeImds, startFakeImds } from '../lib/imds.js';
import { TestPeer } from '../lib/peer.js';
import { eventually, freePort, startProcess, stopAll, type TestProcess } from '../lib/processes.js';
import { type BackendProcess, makeTestNode, ROOT, startBackend, type TestNode } from '../lib/shoal.js';

const AWS = { accessKeyId: 'AKIDSHOALAWSEBTEST', secretAccessKey: 'shoal-awseb-test-secret' };
const SECRET_ID = 'shoal/node-priv-key';

interface PeerJson {
  nodeId: string;
  state: string;
  frontend?: string;
}

/** Children of `pid` (Linux /proc), to stop a node that `sh -c` did not exec into. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('AWS Elastic Beanstalk bundle', { timeout: 180_000 }, () => {
  let work: string;
  let app: string;
  let zip: string;
  let node: TestNode;
  let backend: BackendProcess;
  let imds: FakeImds;
  let sm: FakeSm.FakeSecretsManager;
  const peer = new TestPeer();
  const started: TestProcess[] = [];

  /** The Procfile's `web:` command, run by `/bin/sh -c` in the app directory with only node on PATH. */
  async function startFromProcfile(
    name: string,
    env: Record<string, string>,
  ): Promise<{ proc: TestProcess; port: number; httpPort: number }> {
    const web = /^web:\s*(.+)$/m.exec(readFileSync(join(app, 'Procfile'), 'utf8'))?.[1];
    assert.ok(web, 'Procfile has a web process');
    const port = await freePort();
    const httpPort = await freePort();
    const conf = [
      'chain=regtest',
      `cluster.port=${backend.clusterPort}`,
      'server.binding-ip=127.0.0.1',
      `server.port=${port}`,
      'front.http-binding-ip=127.0.0.1',
      `front.http-port=${httpPort}`,
      `front.aws-sm.endpoint=${sm.endpoint}`,
      `front.aws-sm.secret-id=${SECRET_ID}`,
      'log.level=debug',
      'cluster.failure-detector.threshold=2s',
      'cluster.failure-detector.heartbeat-interval=500ms',
    ].join(';');
    // exec: the shell is replaced by the Procfile's process, as under a process manager, so a signal
    // reaches node (dash does not forward it; an orphaned frontend kept this file's pipes open).
    const proc = startProcess(name, '/bin/sh', ['-c', `exec ${web}`], {
      cwd: app,
      env: {
        PATH: join(work, 'bin'),
        HOME: join(work, 'home'),
        BACKEND_IP: '127.0.0.1',
        NODE_PUB_KEY: node.nodeId,
        CLUSTER_TLS_PASSWORD: node.tlsPassword,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: AWS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: AWS.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
        SHOAL_CONF: conf,
        ...env,
      },
    });
    started.push(proc);
    return { proc, port, httpPort };
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'shoal-awseb-e2e-'));
    mkdirSync(join(work, 'bin'));
    mkdirSync(join(work, 'home'));
    symlinkSync(process.execPath, join(work, 'bin/node'));
    node = await makeTestNode();
    const fakeSm = (await import(
      pathToFileURL(join(ROOT, 'packages/identity/dist/test/fake-secrets-manager.js')).href
    )) as typeof FakeSm;
    sm = await fakeSm.startFakeSecretsManager(
      { [SECRET_ID]: { string: node.nodePrivKey } },
      { [AWS.accessKeyId]: AWS.secretAccessKey },
    );
    imds = await startFakeImds('127.0.0.2');
    backend = await startBackend(node);
    zip = join(work, 'out/shoal-frontend-awseb.zip');
    const bundler = startProcess('bundle', process.execPath, [
      join(ROOT, 'deploy/awseb/bundle.mjs'),
      '--no-build',
      `--out=${zip}`,
      `--cert=${node.keystore}`,
    ]);
    const { code } = await bundler.exited(120_000);
    assert.equal(code, 0, bundler.output());
    const line = /: (\d+) bytes \(([\d.]+) MiB\)/.exec(bundler.output());
    assert.ok(line, bundler.output());
    assert.equal(Number(line[1]), statSync(zip).size);
    process.stdout.write(`# awseb bundle: ${line[1]} bytes (${line[2]} MiB)\n`);
    app = join(work, 'app');
    mkdirSync(app);
    assert.deepEqual(readdirSync(app), [], 'unpacked into an empty directory');
    execFileSync('unzip', ['-q', zip, '-d', app]);
  });

  after(async () => {
    peer.close();
    for (const p of started) for (const pid of childPids(p.child.pid ?? 0)) process.kill(pid, 'SIGTERM');
    await stopAll();
    await Promise.all([imds?.close(), sm?.close()]);
    node?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the frontend, its built packages and production dependencies only, and the platform files', () => {
    const files = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const f of [
      'Procfile',
      'start.mjs',
      'cluster.p12',
      '.ebextensions/01-shoal-frontend.config',
      '.platform/hooks/prebuild/10-shoal-check.sh',
      'node_modules/@shoal/frontend/dist/src/main.js',
      'node_modules/@shoal/identity/package.json',
      'node_modules/@aws-sdk/client-secrets-manager/package.json',
      'node_modules/convict/package.json',
    ]) {
      assert.ok(files.includes(f), `${f} in the bundle`);
    }
    const ours = files.filter((f) => f.startsWith('node_modules/@shoal/'));
    assert.deepEqual(
      ours.filter(
        (f) =>
          !/^node_modules\/@shoal\/[^/]+\/(package\.json|dist\/src\/.*\.js|dist\/src\/|node_modules\/.*)$/.test(
            f,
          ) && !f.endsWith('/'),
      ),
      [],
      'only package.json and dist/src JavaScript of the workspace packages',
    );
    assert.ok(!ours.some((f) => f.includes('/dist/test/') || f.endsWith('.ts')), 'no tests or sources');
    for (const dev of [
      'typescript',
      '@biomejs',
      'fast-check',
      '@node-lightning',
      '@types',
      '@shoal/backend',
    ]) {
      assert.ok(!files.some((f) => f.startsWith(`node_modules/${dev}/`)), `no ${dev}`);
    }
    assert.ok(
      statSync(join(app, '.platform/hooks/prebuild/10-shoal-check.sh')).mode & 0o100,
      'hook executable',
    );
  });

  it('started from its Procfile without npm: address from IMDSv2, key from Secrets Manager, joins the backend, accepts a peer', async () => {
    const fe = await startFromProcfile('awseb-front', {});
    await fe.proc.waitFor(/"msg":"frontend ready"/, 60_000);
    assert.match(fe.proc.output(), /cluster address 127\.0\.0\.2 \(from instance metadata/);
    const put = imds.requests.find((r) => r.method === 'PUT' && r.path === '/latest/api/token');
    assert.ok(put, 'an IMDSv2 token was requested');
    const get = imds.requests.find((r) => r.path === '/latest/meta-data/local-ipv4');
    assert.ok(get?.token, 'local-ipv4 was read with the session token');
    const read = sm.requests.find((r) => r.secretId === SECRET_ID);
    assert.ok(read?.signatureValid, 'the node key came from GetSecretValue with a valid SigV4 signature');
    const ready = await fetch(`http://127.0.0.1:${fe.httpPort}/ready`);
    assert.equal(ready.status, 200);

    await peer.connect('127.0.0.1', fe.port, node.nodeId);
    await peer.exchangeInit();
    await peer.ping();
    const state = await eventually('peer CONNECTED', async () => {
      const { status, body } = await backend.api('peers');
      assert.equal(status, 200);
      const p = (body as PeerJson[]).find((x) => x.nodeId === peer.nodeId);
      return p?.state === 'CONNECTED' ? p : undefined;
    });
    assert.equal(
      state.frontend,
      `127.0.0.2:${backend.clusterPort}`,
      'the frontend joined under its IMDS address',
    );
  });

  it('LOCAL_IP takes precedence over instance metadata; without either the start fails clearly', async () => {
    const before = imds.requests.length;
    const fe = await startFromProcfile('awseb-front-local-ip', { LOCAL_IP: '127.0.0.3' });
    await fe.proc.waitFor(/"msg":"frontend ready"/, 60_000);
    assert.match(fe.proc.output(), /cluster address 127\.0\.0\.3 \(from LOCAL_IP\)/);
    assert.equal(imds.requests.length, before, 'no metadata request when LOCAL_IP is set');
    await fe.proc.stop();

    const dead = `http://127.0.0.1:${await freePort()}`;
    const bad = await startFromProcfile('awseb-front-no-ip', { AWS_EC2_METADATA_SERVICE_ENDPOINT: dead });
    const { code } = await bad.proc.exited(20_000);
    assert.equal(code, 2);
    assert.match(bad.proc.output(), /no instance address: LOCAL_IP is unset/);
  });
});
