import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type ApiHandlers,
  type ApiServer,
  type ConnectParams,
  createApiServer,
  type DisconnectParams,
} from '@shoal/backend/api';
import { createLogger } from '@shoal/log';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const PASSWORD = 'cli-test-password';
const NODE = `02${'4d4b6cd1361032ca9bd2aeb9d900aa4d45d9ead80ac9423374c451a7254d0766'}`;
const T = { timeout: 20_000 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a child process (asynchronously: the API server lives in this process). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 15_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        if (err && code === -1) reject(err);
        else resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('shoal-cli against a real API server', () => {
  const calls: Array<ConnectParams | DisconnectParams | string> = [];
  let server: ApiServer;
  let url: string;
  const handlers: ApiHandlers = {
    getInfo: async () => ({
      version: 't',
      nodeId: Buffer.from(NODE, 'hex'),
      alias: 'shoal',
      color: '#000102',
      features: { activated: { var_onion_optin: 'mandatory' } },
      chainHash: Buffer.alloc(32, 6),
      network: 'regtest',
      blockHeight: 7,
      publicAddresses: [{ type: 'ipv6', addr: Buffer.alloc(16, 0xfe), port: 9735 }],
      instanceId: 'i',
    }),
    peers: async () => [],
    connect: async (p) => {
      calls.push(p);
      return 'connected';
    },
    disconnect: async (p) => {
      calls.push(p);
      return 'disconnecting';
    },
    cluster: async () => ({ self: 'a:1', members: [] }),
    state: async () => ({ state: 'RUNNING' }),
  };
  const logLines: string[] = [];

  before(async () => {
    server = createApiServer(
      {
        logger: createLogger({ level: 'debug', sink: { write: (l: string) => logLines.push(l) } }),
        handlers,
      },
      { host: '127.0.0.1', port: 0, password: PASSWORD, authFailureDelayMs: 0 },
    );
    await server.start();
    url = `http://127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server.stop();
  });

  it('help lists the commands; help <command> shows its parameters', T, async () => {
    const r = await cli(['help']);
    assert.equal(r.code, 0);
    for (const c of ['getinfo', 'peers', 'connect', 'disconnect', 'cluster', 'state'])
      assert.match(r.stdout, new RegExp(`\\n  ${c}\\s`));
    const c = await cli(['help', 'connect']);
    assert.equal(c.code, 0);
    assert.match(c.stdout, /uri=<nodeId@host:port>/);
    const none = await cli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /usage: shoal-cli/);
  });

  it('getinfo prints pretty JSON with Eclair field names', T, async () => {
    const r = await cli(['--url', url, '--password', PASSWORD, 'getinfo']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(info.nodeId, NODE);
    assert.equal(info.chainHash, '06'.repeat(32));
    assert.deepEqual(info.publicAddresses, ['[fefe:fefe:fefe:fefe:fefe:fefe:fefe:fefe]:9735']);
    assert.match(r.stdout, /^\{\n {2}"version": "t",/);
  });

  it('connect: --name value, --name=value and name=value; strings print raw', T, async () => {
    calls.length = 0;
    const env = { SHOAL_API_PASSWORD: PASSWORD, SHOAL_API_URL: `${url}/` };
    for (const args of [
      ['connect', '--uri', `${NODE}@127.0.0.1:9735`],
      ['connect', `--uri=${NODE}@127.0.0.1:9735`],
      ['connect', `uri=${NODE}@127.0.0.1:9735`],
    ]) {
      const r = await cli(args, env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'connected\n');
    }
    const r = await cli(['connect', '--nodeId', NODE, 'host=::1', '--port=9736'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(calls.length, 4);
    const last = calls[3] as ConnectParams;
    assert.equal(Buffer.from(last.nodeId).toString('hex'), NODE);
    assert.deepEqual(last.address, {
      type: 'ipv6',
      addr: Uint8Array.from([...Array(15).fill(0), 1]),
      port: 9736,
    });
  });

  it('password from a file', T, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-cli-'));
    try {
      const file = join(dir, 'pw');
      await writeFile(file, `${PASSWORD}\n`, { mode: 0o600 });
      const r = await cli(['--url', url, '--password-file', file, 'disconnect', '--nodeId', NODE]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'disconnecting\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('API errors: message on stderr, exit 1', T, async () => {
    const wrong = await cli(['--url', url, '--password', 'nope', 'getinfo']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^shoal-cli: 401 The supplied authentication is invalid\n$/);
    assert.equal(wrong.stdout, '');

    const bad = await cli(['--url', url, '--password', PASSWORD, 'disconnect', 'nodeId=1234']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /400 The form field 'nodeId' was malformed/);

    const unknown = await cli(['--url', url, '--password', PASSWORD, 'frobnicate']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /404/);
  });

  it('usage errors exit 2; an unreachable API exits 3', T, async () => {
    const noPw = await cli(['--url', url, 'getinfo']);
    assert.equal(noPw.code, 2);
    assert.match(noPw.stderr, /no API password/);
    assert.equal((await cli(['--bogus', 'getinfo'])).code, 2);
    assert.equal((await cli(['--password', PASSWORD, 'connect', 'uri'])).code, 2);
    assert.equal((await cli(['--url', 'ftp://x', '--password', PASSWORD, 'getinfo'])).code, 2);

    // A port nothing listens on: bind one, then close it.
    const probe = createApiServer(
      { logger: createLogger({ sink: { write: () => true } }), handlers },
      { host: '127.0.0.1', port: 0, password: PASSWORD },
    );
    await probe.start();
    const closedPort = probe.port;
    await probe.stop();
    const r = await cli(['--url', `http://127.0.0.1:${closedPort}`, '--password', PASSWORD, 'getinfo']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('state, and a standby backend refusing calls', T, async () => {
    const env = { SHOAL_API_PASSWORD: PASSWORD, SHOAL_API_URL: url };
    assert.deepEqual(JSON.parse((await cli(['state'], env)).stdout), { state: 'RUNNING' });
    server.setWaitingToStart(true);
    try {
      const s = await cli(['state'], env);
      assert.deepEqual(JSON.parse(s.stdout), { state: 'WAITING_TO_START' });
      const g = await cli(['peers'], env);
      assert.equal(g.code, 1);
      assert.match(g.stderr, /503 this backend is WAITING_TO_START/);
    } finally {
      server.setWaitingToStart(false);
    }
  });

  it('the password is in no log line of the server', T, () => {
    assert.ok(logLines.length > 0);
    for (const l of logLines) assert.ok(!l.includes(PASSWORD), l);
  });
});
