import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeClusterKeystore } from '@shoal/cluster';
import { ensureNodeSeed, KeyRing, readNodeSeed } from '@shoal/identity';
import { clusterCertificate, freePort, nodeKey, TestBackend, TestPeer, until } from './harness.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');
const PASSWORD = 'test-password';
const SCRIPT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'bin',
  'eclair-front.sh',
);

/** The parent's environment without anything the config package would read. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const ours =
    /^(SHOAL_|NODE_PUB_KEY$|NODE_PRIV_KEY$|BACKEND_IP$|LOCAL_IP$|CLUSTER_TLS_PASSWORD$|AKKA_TLS_PASSWORD$|AWS_)/;
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !ours.test(k)) env[k] = v;
  return env;
}

/** A frontend process with its stderr split into lines (JSON log lines parsed). */
class FrontendProc {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  exit: number | null | undefined;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let rest = '';
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      this.lines.push(...parts);
      this.wake();
    });
    this.child.on('exit', (code) => {
      this.exit = code;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private sub = (w: () => void): (() => void) => {
    this.waiters.add(w);
    return () => this.waiters.delete(w);
  };

  log(msg: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return until(
      this.sub,
      () => {
        for (const l of this.lines) {
          if (!l.startsWith('{')) continue;
          const j = JSON.parse(l) as Record<string, unknown>;
          if (j.msg === msg) return j;
        }
        return undefined;
      },
      `log line "${msg}" (stderr so far: ${this.lines.join('\n')})`,
      timeoutMs,
    );
  }

  exited(timeoutMs = 10_000): Promise<number | null> {
    return until(
      this.sub,
      () => (this.exit === undefined ? undefined : { code: this.exit }),
      'exit',
      timeoutMs,
    ).then((e) => e.code);
  }

  kill(): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }
}

describe('main.js (the frontend program)', { timeout: 90_000 }, () => {
  const dirs: string[] = [];
  const procs: FrontendProc[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'shoal-front-'));
    dirs.push(d);
    return d;
  };
  const run = (args: string[], env: Record<string, string>): FrontendProc => {
    const p = new FrontendProc(args, { ...baseEnv(), ...env });
    procs.push(p);
    return p;
  };
  after(() => {
    for (const p of procs) p.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses an unknown config key with exit code 2, naming it', { timeout: 15_000 }, async () => {
    const k = nodeKey();
    const p = run([`--datadir=${tmp()}`, '--front.no-such-key=1'], {
      NODE_PUB_KEY: k.publicKey.toString('hex'),
    });
    assert.equal(await p.exited(), 2);
    const text = p.lines.join('\n');
    assert.match(text, /front\.no-such-key/);
  });

  it('bin/eclair-front.sh passes Eclair-style -Declair.<key>=<value> overrides as flags', {
    timeout: 15_000,
  }, async () => {
    const k = nodeKey();
    const child = spawn(SCRIPT, [`--datadir=${tmp()}`, '-Declair.server.port=notaport'], {
      env: { ...baseEnv(), NODE_PUB_KEY: k.publicKey.toString('hex') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 2);
    assert.match(err, /server\.port: must be an integer; value was "notaport" \(flag --server\.port\)/);
  });

  it('refuses a NODE_PUB_KEY that does not match the key, naming both keys', {
    timeout: 15_000,
  }, async () => {
    const k = nodeKey();
    const other = nodeKey();
    const p = run([`--datadir=${tmp()}`, '--front.priv-key-provider=env'], {
      NODE_PRIV_KEY: k.privateKey.toString('hex'),
      NODE_PUB_KEY: other.publicKey.toString('hex'),
    });
    assert.equal(await p.exited(), 2);
    const first = p.lines.find((l) => l.startsWith('shoal-frontend:')) ?? '';
    assert.match(first, new RegExp(k.publicKey.toString('hex')));
    assert.match(first, new RegExp(other.publicKey.toString('hex')));
    assert.doesNotMatch(
      p.lines.join('\n'),
      new RegExp(k.privateKey.toString('hex')),
      'never prints the secret',
    );
  });

  it('refuses to start without the cluster certificate', { timeout: 15_000 }, async () => {
    const k = nodeKey();
    const p = run([`--datadir=${tmp()}`, '--front.priv-key-provider=env'], {
      NODE_PRIV_KEY: k.privateKey.toString('hex'),
      NODE_PUB_KEY: k.publicKey.toString('hex'),
      CLUSTER_TLS_PASSWORD: PASSWORD,
    });
    assert.equal(await p.exited(), 2);
    assert.match(p.lines.find((l) => l.startsWith('shoal-frontend:')) ?? '', /cluster keystore/);
  });

  it('derives the node key from the seed like the backend and reads <datadir>/shoal.conf', {
    timeout: 20_000,
  }, async () => {
    const datadir = tmp();
    await ensureNodeSeed(datadir);
    const key = KeyRing.fromSeed(await readNodeSeed(datadir), 'regtest').nodeKey();
    writeClusterKeystore({ datadir, password: PASSWORD, certificate: clusterCertificate() });
    writeFileSync(
      join(datadir, 'shoal.conf'),
      'chain = regtest\nserver { port = 0, binding-ip = "127.0.0.1" }\nfront { http-port = 0, http-binding-ip = "127.0.0.1" }\ncluster { port = 0, seed-nodes = ["127.0.0.1:1"] }\n',
    );
    const p = run([`--datadir=${datadir}`], {
      NODE_PUB_KEY: key.nodeId,
      CLUSTER_TLS_PASSWORD: PASSWORD,
      LOCAL_IP: '127.0.0.1',
    });
    const started = await p.log('frontend started');
    assert.equal(started.nodeId, key.nodeId);
    const ready = await fetch(`http://127.0.0.1:${started.httpPort as number}/ready`);
    assert.equal(ready.status, 503, 'no backend: not ready');
    p.child.kill('SIGINT');
    assert.equal(await p.exited(), 0);
  });

  it('starts with Eclair-style variables and flags, gets ready, serves a peer, stops on SIGTERM', {
    timeout: 30_000,
  }, async () => {
    const backend = new TestBackend(await freePort());
    await backend.start();
    try {
      const datadir = tmp();
      writeClusterKeystore({ datadir, password: PASSWORD, certificate: clusterCertificate() });
      const k = nodeKey();
      const p = run(
        [
          `--datadir=${datadir}`,
          '--front.priv-key-provider=env',
          '--server.port=0',
          '--server.binding-ip=127.0.0.1',
          '--front.http-port=0',
          '--front.http-binding-ip=127.0.0.1',
          '--cluster.port=0',
          `--cluster.seed-nodes=127.0.0.1:${backend.port}`,
          '--chain=regtest',
        ],
        {
          NODE_PRIV_KEY: k.privateKey.toString('hex'),
          NODE_PUB_KEY: k.publicKey.toString('hex'),
          AKKA_TLS_PASSWORD: PASSWORD,
          LOCAL_IP: '127.0.0.1',
        },
      );
      const started = await p.log('frontend started');
      assert.equal(started.nodeId, k.publicKey.toString('hex'));
      await p.log('frontend ready');
      const peer = await TestPeer.connect(started.port as number, k.publicKey);
      await peer.take(16);
      const health = await fetch(`http://127.0.0.1:${started.httpPort as number}/ready`);
      assert.equal(health.status, 200);
      p.child.kill('SIGTERM');
      assert.equal(await p.exited(), 0);
      await peer.waitClosed();
    } finally {
      await backend.stop();
    }
  });
});
