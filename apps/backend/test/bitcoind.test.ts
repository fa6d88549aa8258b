import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RegtestChain, RegtestRpcServer } from '@shoal/chain';
import { createLogger } from '@shoal/log';
import { datadir, exited, logLine, run } from './main-process.js';

// main.js against Bitcoin Core's RPC as served by RegtestRpcServer (the chain package's stand-in
// for bitcoind): the BitcoindChain path of the backend, and its start-up errors.

const RPC_USER = 'shoal';
const RPC_PASSWORD = 'rpc-secret-password';
const API = `Basic ${Buffer.from(':pw').toString('base64')}`;

async function api(
  port: unknown,
  call: string,
  form: Record<string, string> = {},
): Promise<[number, unknown]> {
  const res = await fetch(`http://127.0.0.1:${port}/${call}`, {
    method: 'POST',
    headers: { authorization: API },
    body: new URLSearchParams(form),
  });
  return [res.status, await res.json()];
}

describe('main.js with bitcoind (RegtestRpcServer)', { timeout: 90_000 }, () => {
  const chainDir = mkdtempSync(join(tmpdir(), 'shoal-bitcoind-'));
  const logger = createLogger({ level: 'error', sink: { write: () => {} } });
  const chain = new RegtestChain({ logger }, { dataDir: chainDir });
  const server = new RegtestRpcServer({ chain, logger }, { user: RPC_USER, password: RPC_PASSWORD });
  const rpcArgs = (password: string): string[] => [
    `--bitcoind.rpc-url=${server.url}`,
    `--bitcoind.rpcuser=${RPC_USER}`,
    `--bitcoind.rpcpassword=${password}`,
  ];
  before(async () => {
    await chain.start();
    await chain.generate(5);
    await server.start();
  });
  after(async () => {
    await server.stop();
    await chain.stop();
    rmSync(chainDir, { recursive: true, force: true });
  });

  test('starts on bitcoind: getinfo follows its tip, the wallet sees its blocks, generate is refused', async (t) => {
    const dir = datadir();
    let child: ChildProcess | undefined;
    t.after(() => {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    child = run(
      [
        `--datadir=${dir}`,
        '--chain=regtest',
        '--cluster.port=0',
        '--api.enabled=true',
        '--api.port=0',
        ...rpcArgs(RPC_PASSWORD),
      ],
      { SHOAL_API_PASSWORD: 'pw' },
    );
    const started = await logLine(child, 'backend started');
    assert.equal(started.chainSource, server.url);
    const port = started.apiPort;
    const [, info] = await api(port, 'getinfo');
    assert.equal((info as { blockHeight: number }).blockHeight, (await chain.getTip()).height);
    const [, address] = await api(port, 'getnewaddress');
    await chain.generate(1, String(address));
    await chain.generate(100);
    const [, info2] = await api(port, 'getinfo');
    assert.equal((info2 as { blockHeight: number }).blockHeight, (await chain.getTip()).height);
    // The backend polls bitcoind for new blocks (every 5 s): wait for the wallet to have seen them.
    const deadline = Date.now() + 30_000;
    let balance: unknown;
    do {
      [, balance] = await api(port, 'onchainbalance');
      if ((balance as { confirmed: number }).confirmed > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    assert.deepEqual(balance, { confirmed: 5_000_000_000, unconfirmed: 0 });
    const [status, body] = await api(port, 'generate', { blocks: '1' });
    assert.equal(status, 400);
    assert.match((body as { error: string }).error, /only available on the embedded regtest chain/);
    const done = once(child, 'exit');
    child.kill('SIGTERM');
    assert.equal(((await done) as [number | null])[0], 0);
  });

  test('wrong credentials: exit 2, one line, no password shown', async (t) => {
    const dir = datadir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const r = await exited(
      run([`--datadir=${dir}`, '--chain=regtest', '--cluster.port=0', ...rpcArgs('not-the-password-42')]),
    );
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines.at(-1) ?? '', /^shoal-backend: .*(credentials|unauthori[sz]ed|401)/i);
    assert.doesNotMatch(r.stderr, /not-the-password-42|rpc-secret-password/);
  });

  test('wrong network: exit 2 naming both chains', async (t) => {
    const dir = datadir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const r = await exited(
      run([`--datadir=${dir}`, '--chain=testnet', '--cluster.port=0', ...rpcArgs(RPC_PASSWORD)]),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr.trim().split('\n').at(-1) ?? '',
      /^shoal-backend: bitcoind is on 'regtest', expected 'test'/,
    );
  });
});
