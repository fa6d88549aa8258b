import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChainError, type ChainSource, RegtestChain } from '@shoal/chain';
import { KeyRing } from '@shoal/identity';
import { createLogger } from '@shoal/log';
import type { Wallet } from '@shoal/wallet';
import { type ApiServer, createApiServer } from '../src/api/index.js';
import { openChainSource, startWallet, tipHeight } from '../src/chain.js';
import { walletCalls } from '../src/wallet-calls.js';
import { call, fakeHandlers, PASSWORD } from './helpers.js';

const T = { timeout: 30_000 };
const COIN = 5_000_000_000; // a regtest coinbase below height 150: 50 BTC

describe('wallet calls and generate over a real RegtestChain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-wallet-calls-'));
  const logger = createLogger({ level: 'error', sink: { write: () => {} } });
  let chain: RegtestChain;
  let wallet: Wallet;
  let servers: ApiServer[] = [];
  let url = '';
  let offChainUrl = '';

  const serve = async (regtest: RegtestChain | undefined): Promise<string> => {
    const server = createApiServer(
      { logger, handlers: fakeHandlers().handlers, extraCalls: walletCalls(wallet, regtest) },
      { host: '127.0.0.1', port: 0, password: PASSWORD, authFailureDelayMs: 0 },
    );
    await server.start();
    servers.push(server);
    return `http://127.0.0.1:${server.port}`;
  };

  before(async () => {
    chain = new RegtestChain({ logger }, { dataDir: dir });
    await chain.start();
    wallet = await startWallet({ chain, keyRing: KeyRing.fromSeed(randomBytes(32), 'regtest'), logger }, dir);
    url = await serve(chain);
    // The same wallet served as if the chain source were bitcoind: generate must be refused.
    offChainUrl = await serve(undefined);
  });
  after(async () => {
    for (const s of servers) await s.stop();
    servers = [];
    await wallet.stop();
    await chain.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('getnewaddress gives fresh regtest P2WPKH addresses; the balance starts at zero', T, async () => {
    const a = await call(url, '/getnewaddress');
    const b = await call(url, '/getnewaddress');
    assert.equal(a.status, 200);
    assert.match(String(a.json), /^bcrt1q[0-9a-z]{38}$/);
    assert.notEqual(a.json, b.json);
    const balance = await call(url, '/onchainbalance');
    assert.deepEqual(balance.json, { confirmed: 0, unconfirmed: 0 });
  });

  it('generate mines to an address; a coinbase counts once mature', T, async () => {
    const address = String((await call(url, '/getnewaddress')).json);
    const tip = (await chain.getTip()).height;
    const one = await call(url, '/generate', { blocks: '1', address });
    assert.equal(one.status, 200);
    assert.ok(Array.isArray(one.json) && one.json.length === 1);
    assert.match(String(one.json[0]), /^[0-9a-f]{64}$/);
    assert.deepEqual((await call(url, '/onchainbalance')).json, { confirmed: 0, unconfirmed: 0 });
    const more = await call(url, '/generate', { blocks: '100' });
    assert.equal(more.status, 200);
    assert.equal((more.json as unknown[]).length, 100);
    assert.equal((await chain.getTip()).height, tip + 101);
    assert.deepEqual((await call(url, '/onchainbalance')).json, { confirmed: COIN, unconfirmed: 0 });
  });

  it(
    'sendonchain to our own address: only the fee leaves the wallet, confirmed after a block',
    T,
    async () => {
      const to = String((await call(url, '/getnewaddress')).json);
      const sent = await call(url, '/sendonchain', {
        address: to,
        amountSatoshis: '100000',
        feeRatePerByte: '2',
      });
      assert.equal(sent.status, 200, sent.text);
      assert.match(String(sent.json), /^[0-9a-f]{64}$/);
      const pending = (await call(url, '/onchainbalance')).json as { confirmed: number; unconfirmed: number };
      assert.equal(pending.confirmed, 0);
      const fee = COIN - pending.unconfirmed;
      assert.ok(fee > 0 && fee < 2_000, `fee ${fee}`);
      await call(url, '/generate', { blocks: '1' });
      assert.deepEqual((await call(url, '/onchainbalance')).json, { confirmed: COIN - fee, unconfirmed: 0 });
    },
  );

  it('bad requests are 400s with Eclair wording; not enough funds is a 500 with the message', T, async () => {
    const missing = await call(url, '/sendonchain', { amountSatoshis: '1000', feeRatePerByte: '2' });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json, { error: "Request is missing required form field 'address'" });
    const mainnet = await call(url, '/sendonchain', {
      address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
      amountSatoshis: '1000',
      feeRatePerByte: '2',
    });
    assert.equal(mainnet.status, 400);
    assert.match(String((mainnet.json as { error: string }).error), /form field 'address'/);
    const amount = await call(url, '/sendonchain', {
      address: 'x',
      amountSatoshis: '-1',
      feeRatePerByte: '2',
    });
    assert.equal(amount.status, 400);
    assert.match(String((amount.json as { error: string }).error), /amountSatoshis/);
    const to = String((await call(url, '/getnewaddress')).json);
    const tooMuch = await call(url, '/sendonchain', {
      address: to,
      amountSatoshis: String(100 * COIN),
      feeRatePerByte: '2',
    });
    assert.equal(tooMuch.status, 500);
    assert.match(String((tooMuch.json as { error: string }).error), /cannot pay .* sat spendable/);
    for (const blocks of ['0', '1001', 'x', '']) {
      const g = await call(url, '/generate', { blocks });
      assert.equal(g.status, 400, `blocks=${blocks}`);
    }
    assert.equal((await call(url, '/generate')).status, 400);
    const badTo = await call(url, '/generate', {
      blocks: '1',
      address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
    });
    assert.equal(badTo.status, 400);
  });

  it(
    'generate is refused with a clear 400 when the chain source is not the embedded regtest',
    T,
    async () => {
      const tip = (await chain.getTip()).height;
      const g = await call(offChainUrl, '/generate', { blocks: '1' });
      assert.equal(g.status, 400);
      assert.match(
        String((g.json as { error: string }).error),
        /only available on the embedded regtest chain/,
      );
      assert.equal((await chain.getTip()).height, tip);
      assert.equal((await call(offChainUrl, '/onchainbalance')).status, 200);
    },
  );
});

describe('openChainSource', () => {
  it('a bitcoind that does not answer is CHAIN_UNREACHABLE', { timeout: 30_000 }, async () => {
    const logger = createLogger({ level: 'error', sink: { write: () => {} } });
    const base = {
      chain: 'regtest' as const,
      datadir: tmpdir(),
      bitcoind: {
        'rpc-url': 'http://127.0.0.1:9/',
        host: '127.0.0.1',
        rpcport: 18443,
        auth: 'password' as const,
        rpcuser: 'u',
        rpcpassword: 'p',
        cookie: null,
      },
    };
    await assert.rejects(openChainSource(base, logger), (err: unknown) => {
      assert.ok(err instanceof ChainError);
      assert.equal(err.code, 'CHAIN_UNREACHABLE');
      assert.match(err.message, /127\.0\.0\.1:9/);
      assert.doesNotMatch(err.message, /u:p@/);
      return true;
    });
  });
});

describe('tipHeight', () => {
  it('follows the tip; while the source fails it gives the last height read and logs why', {
    timeout: 5_000,
  }, async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      format: 'json',
      sink: { write: (l: string) => lines.push(l) },
    });
    const answers: (number | Error)[] = [7, 9, new ChainError('CHAIN_UNREACHABLE', 'bitcoind is down'), 12];
    const chain = {
      getTip: async () => {
        const next = answers.shift();
        if (next === undefined || next instanceof Error) throw next ?? new Error('no more answers');
        return { height: next, hash: new Uint8Array(32) };
      },
    } as unknown as ChainSource;
    const height = tipHeight(chain, logger);
    assert.deepEqual([await height(), await height(), await height(), await height()], [7, 9, 9, 12]);
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /chain tip unavailable.*bitcoind is down/);
  });
});
