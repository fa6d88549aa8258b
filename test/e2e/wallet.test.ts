// Issue 5 end to end: the backend process with its embedded regtest chain and on-chain wallet,
// driven through the HTTP API (getnewaddress, generate, onchainbalance, sendonchain), restarted to
// show the chain and the wallet survive; a bitcoind that does not answer stops the start-up; and
// bin/demo funds the wallet at start.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, startProcess, stopAll } from '../lib/processes.js';
import { type BackendProcess, makeTestNode, ROOT, startBackend, type TestNode } from '../lib/shoal.js';

const COIN = 5_000_000_000; // a regtest coinbase below height 150: 50 BTC, in satoshis

interface Balance {
  confirmed: number;
  unconfirmed: number;
}

async function ok(
  backend: BackendProcess,
  call: string,
  params: Record<string, string> = {},
): Promise<unknown> {
  const { status, body } = await backend.api(call, params);
  assert.equal(status, 200, `${call} answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

const balance = async (b: BackendProcess): Promise<Balance> => (await ok(b, 'onchainbalance')) as Balance;
const height = async (b: BackendProcess): Promise<number> =>
  ((await ok(b, 'getinfo')) as { blockHeight: number }).blockHeight;

describe('on-chain wallet on the embedded regtest chain', { timeout: 120_000 }, () => {
  let node: TestNode;
  let backend: BackendProcess;
  const addresses: string[] = [];
  let expected: Balance;
  let tip = 0;

  before(async () => {
    node = await makeTestNode();
    backend = await startBackend(node);
  });
  after(async () => {
    await stopAll();
    node?.cleanup();
  });

  it('generate to a getnewaddress address: the coinbase is in onchainbalance once mature', async () => {
    assert.deepEqual(await balance(backend), { confirmed: 0, unconfirmed: 0 });
    const start = await height(backend);
    const address = String(await ok(backend, 'getnewaddress'));
    assert.match(address, /^bcrt1q/);
    addresses.push(address);
    const mined = await ok(backend, 'generate', { blocks: '1', address });
    assert.equal((mined as string[]).length, 1);
    assert.deepEqual(
      await balance(backend),
      { confirmed: 0, unconfirmed: 0 },
      'immature coinbase not counted',
    );
    await ok(backend, 'generate', { blocks: '100' });
    assert.equal(await height(backend), start + 101, 'getinfo.blockHeight follows the tip');
    assert.deepEqual(await balance(backend), { confirmed: COIN, unconfirmed: 0 });
  });

  it('sendonchain to another wallet address: unconfirmed until mined, then only the fee is gone', async () => {
    const to = String(await ok(backend, 'getnewaddress'));
    assert.ok(!addresses.includes(to));
    addresses.push(to);
    const txid = await ok(backend, 'sendonchain', {
      address: to,
      amountSatoshis: '1000000',
      feeRatePerByte: '5',
    });
    assert.match(String(txid), /^[0-9a-f]{64}$/);
    const pending = await balance(backend);
    assert.equal(pending.confirmed, 0, 'the only coin is spent by the unconfirmed send');
    const fee = COIN - pending.unconfirmed;
    // One P2WPKH input, two P2WPKH outputs: ~141 vB at 5 sat/vB.
    assert.ok(fee >= 600 && fee <= 1_000, `fee ${fee}`);
    await ok(backend, 'generate', { blocks: '1' });
    expected = { confirmed: COIN - fee, unconfirmed: 0 };
    assert.deepEqual(await balance(backend), expected);
    tip = await height(backend);
  });

  it('sending more than the wallet holds is refused and changes nothing', async () => {
    const { status, body } = await backend.api('sendonchain', {
      address: addresses[0] ?? '',
      amountSatoshis: String(2 * COIN),
      feeRatePerByte: '5',
    });
    assert.equal(status, 500);
    assert.match((body as { error: string }).error, /cannot pay/);
    assert.deepEqual(await balance(backend), expected);
  });

  it('after a restart the chain and the wallet are the same (balance, height, next address)', async () => {
    await backend.proc.stop();
    assert.equal(backend.proc.child.exitCode, 0, backend.proc.output().slice(-2000));
    backend = await startBackend(node);
    assert.equal(await height(backend), tip);
    assert.deepEqual(await balance(backend), expected);
    const next = String(await ok(backend, 'getnewaddress'));
    assert.ok(!addresses.includes(next), 'address index persisted: no address handed out twice');
    await ok(backend, 'generate', { blocks: '1' });
    assert.equal(await height(backend), tip + 1);
    assert.deepEqual(await balance(backend), expected);
  });
});

describe('backend start-up with a bitcoind that does not answer', { timeout: 60_000 }, () => {
  let node: TestNode;
  before(async () => {
    node = await makeTestNode();
  });
  after(async () => {
    await stopAll();
    node?.cleanup();
  });

  it('exits 2 with one clear line naming the bitcoind URL (no password)', async () => {
    const deadPort = await freePort(); // nothing listens there
    const proc = startProcess(
      'backend-no-bitcoind',
      process.execPath,
      [
        join(ROOT, 'apps/backend/dist/src/main.js'),
        `--datadir=${join(node.dir, 'backend')}`,
        '--chain=regtest',
        `--cluster.tls.file=${node.keystore}`,
        '--cluster.host=127.0.0.1',
        `--cluster.port=${await freePort()}`,
        '--log.format=json',
        `--bitcoind.rpc-url=http://127.0.0.1:${deadPort}`,
        '--bitcoind.rpcuser=shoal',
        '--bitcoind.rpcpassword=secret-rpc-password',
      ],
      { env: { ...process.env, CLUSTER_TLS_PASSWORD: node.tlsPassword } },
    );
    const { code } = await proc.exited(45_000);
    const out = proc.output();
    assert.equal(code, 2, out);
    const line = out.split('\n').find((l) => l.startsWith('shoal-backend: '));
    assert.ok(line, out);
    assert.match(line, new RegExp(`bitcoind at http://127\\.0\\.0\\.1:${deadPort}/ is unreachable`));
    assert.doesNotMatch(out, /secret-rpc-password/);
    assert.doesNotMatch(out, /"msg":"backend started"/);
  });
});

describe('bin/demo funds its wallet on the regtest chain', { timeout: 180_000 }, () => {
  const datadir = mkdtempSync(join(tmpdir(), 'shoal-demo-wallet-'));
  after(async () => {
    await stopAll();
    rmSync(datadir, { recursive: true, force: true });
  });

  it('one mature coinbase (50 BTC) in the banner and the API; a restart on the same datadir mines nothing', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DEMO_DATADIR: datadir };
    for (const name of DEMO_PORTS) env[name] = String(await freePort());
    for (const run of [1, 2]) {
      const demo = startProcess(`demo-${run}`, process.execPath, [join(ROOT, 'apps/demo/dist/src/main.js')], {
        env,
      });
      await demo.waitFor(/Shoal is running/, 90_000);
      const out = demo.output();
      assert.match(out, /wallet:\s+50\.00000000 BTC confirmed, 0\.00000000 BTC unconfirmed/);
      assert.match(out, run === 1 ? /wallet funded on the regtest chain/ : /wallet already funded/);
      const password = out.match(/password: (\S+)/)?.[1] ?? '';
      const api = async (call: string): Promise<unknown> => {
        const res = await fetch(`http://127.0.0.1:${env.DEMO_API_PORT}/${call}`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`:${password}`).toString('base64')}` },
        });
        assert.equal(res.status, 200);
        return res.json();
      };
      assert.deepEqual(await api('onchainbalance'), { confirmed: COIN, unconfirmed: 0 });
      assert.equal(((await api('getinfo')) as { blockHeight: number }).blockHeight, 101);
      demo.kill('SIGTERM');
      assert.equal((await demo.exited(30_000)).code, 0);
    }
  });
});

const DEMO_PORTS = [
  'DEMO_API_PORT',
  'DEMO_CLUSTER_PORT',
  'DEMO_FRONT1_PORT',
  'DEMO_FRONT1_HTTP_PORT',
  'DEMO_FRONT1_CLUSTER_PORT',
  'DEMO_FRONT2_PORT',
  'DEMO_FRONT2_HTTP_PORT',
  'DEMO_FRONT2_CLUSTER_PORT',
] as const;
