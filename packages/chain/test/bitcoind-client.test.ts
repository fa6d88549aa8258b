import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Block } from 'bitcoinjs-lib';
import {
  BitcoindChain,
  BitcoindRpcClient,
  ChainError,
  type ChainTip,
  hashToDisplay,
  RegtestChain,
  RegtestRpcServer,
} from '../src/index.js';
import { key, p2wpkh, spendTx } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function regtestServer(
  options: { user?: string; password?: string; prunedBelowHeight?: number; coinbaseMaturity?: number } = {},
) {
  const chain = new RegtestChain({}, { coinbaseMaturity: options.coinbaseMaturity });
  await chain.start();
  const server = new RegtestRpcServer(
    { chain },
    {
      user: options.user ?? 'u',
      password: options.password ?? 'p',
      prunedBelowHeight: options.prunedBelowHeight,
    },
  );
  await server.start();
  cleanups.push(async () => {
    await server.stop();
    await chain.stop();
  });
  return { chain, server };
}

function isChainError(code: string) {
  return (e: unknown) => {
    assert.ok(e instanceof ChainError, String(e));
    assert.equal(e.code, code, e.message);
    return true;
  };
}

/** A raw HTTP server answering requests from a script of (status, body) replies. */
async function scriptedServer(replies: { status: number; body?: unknown }[]) {
  let seen = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = replies[Math.min(seen++, replies.length - 1)]!;
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests: () => seen };
}

describe('bitcoind RPC client', { timeout: 60_000 }, () => {
  it('refuses wrong credentials with CHAIN_UNAUTHORIZED, accepts credentials in the URL', async () => {
    const { server } = await regtestServer();
    const wrong = new BitcoindRpcClient({}, { url: server.url, user: 'u', password: 'nope', retries: 0 });
    await assert.rejects(wrong.call('getblockcount'), isChainError('CHAIN_UNAUTHORIZED'));
    wrong.close();
    const inUrl = new BitcoindRpcClient({}, { url: server.url.replace('http://', 'http://u:p@') });
    assert.equal(await inUrl.call('getblockcount'), 0);
    assert.ok(!inUrl.url.includes('p@'), 'credentials are not echoed');
    inUrl.close();
  });

  it('authenticates with a cookie file and re-reads it when the node rotates it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-cookie-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const cookieFile = join(dir, '.cookie');
    writeFileSync(cookieFile, '__cookie__:first');
    const first = await regtestServer({ user: '__cookie__', password: 'first' });
    const client = new BitcoindRpcClient({}, { url: first.server.url, cookieFile });
    assert.equal(await client.call('getblockcount'), 0);
    const second = await regtestServer({ user: '__cookie__', password: 'second' });
    writeFileSync(cookieFile, '__cookie__:second');
    const moved = new BitcoindRpcClient({}, { url: second.server.url, cookieFile: join(dir, '.cookie') });
    assert.equal(await moved.call('getblockcount'), 0);
    // Same client, node restarted with a new cookie: the first 401 triggers a re-read.
    const reused = new BitcoindRpcClient({}, { url: second.server.url, cookieFile });
    writeFileSync(cookieFile, '__cookie__:first');
    await assert.rejects(reused.call('getblockcount'), isChainError('CHAIN_UNAUTHORIZED'));
    writeFileSync(cookieFile, '__cookie__:second');
    assert.equal(await reused.call('getblockcount'), 0);
    for (const c of [client, moved, reused]) c.close();
  });

  it('gives up on an unreachable node with CHAIN_UNREACHABLE after its retries', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = new BitcoindRpcClient(
      {},
      { url: `http://127.0.0.1:${port}/`, user: 'u', password: 'p', retries: 2, retryBaseMs: 5 },
    );
    await assert.rejects(client.call('getblockcount'), (e: unknown) => {
      isChainError('CHAIN_UNREACHABLE')(e);
      assert.equal((e as ChainError).meta.attempts, 3);
      return true;
    });
    client.close();
  });

  it('retries a busy (503) or warming-up (-28) node with back-off', async () => {
    const scripted = await scriptedServer([
      { status: 503 },
      { status: 500, body: { result: null, error: { code: -28, message: 'Loading block index...' }, id: 1 } },
      { status: 200, body: { result: 42, error: null, id: 1 } },
    ]);
    const client = new BitcoindRpcClient({}, { url: scripted.url, user: 'u', password: 'p', retryBaseMs: 5 });
    assert.equal(await client.call('getblockcount'), 42);
    assert.equal(scripted.requests(), 3);
    client.close();
  });

  it('reports non-JSON answers as CHAIN_BAD_RESPONSE and RPC errors with their code', async () => {
    const scripted = await scriptedServer([{ status: 200 }]);
    const client = new BitcoindRpcClient({}, { url: scripted.url, retries: 0 });
    await assert.rejects(client.call('getblockcount'), isChainError('CHAIN_BAD_RESPONSE'));
    client.close();
    const { server } = await regtestServer();
    const real = new BitcoindRpcClient({}, { url: server.url, user: 'u', password: 'p' });
    await assert.rejects(real.call('nosuchmethod'), (e: unknown) => {
      isChainError('CHAIN_RPC_ERROR')(e);
      assert.equal((e as ChainError).meta.rpcCode, -32601);
      return true;
    });
    real.close();
  });

  it('batches calls, each answer or error in its slot', async () => {
    const { server } = await regtestServer();
    const client = new BitcoindRpcClient({}, { url: server.url, user: 'u', password: 'p' });
    const [count, missing, genesis] = await client.batch([
      { method: 'getblockcount' },
      { method: 'getblockhash', params: [99] },
      { method: 'getblockhash', params: [0] },
    ]);
    assert.equal(count, 0);
    assert.ok(missing instanceof ChainError && missing.meta.rpcCode === -8);
    assert.equal(typeof genesis, 'string');
    client.close();
  });
});

describe('BitcoindChain', { timeout: 60_000 }, () => {
  it('refuses a node on another network with CHAIN_WRONG_NETWORK', async () => {
    const { server } = await regtestServer();
    const source = new BitcoindChain(
      {},
      { url: server.url, user: 'u', password: 'p', network: 'mainnet', pollIntervalMs: 0 },
    );
    await assert.rejects(source.start(), (e: unknown) => {
      isChainError('CHAIN_WRONG_NETWORK')(e);
      assert.deepEqual([(e as ChainError).meta.expected, (e as ChainError).meta.actual], ['main', 'regtest']);
      return true;
    });
    await source.stop();
  });

  it('reports a block a pruned node no longer has as CHAIN_PRUNED', async () => {
    const { chain, server } = await regtestServer({ prunedBelowHeight: 5 });
    await chain.generate(10);
    const source = new BitcoindChain(
      {},
      { url: server.url, user: 'u', password: 'p', network: 'regtest', pollIntervalMs: 0 },
    );
    await source.start();
    const old = (await source.getBlockHash(2))!;
    await assert.rejects(source.getBlock(old), isChainError('CHAIN_PRUNED'));
    assert.equal((await source.getBlock((await source.getBlockHash(7))!))?.height, 7);
    await assert.rejects(
      source.watchSpend({ txid: new Uint8Array(32), vout: 0 }, { fromHeight: 1 }),
      isChainError('CHAIN_PRUNED'),
    );
    await source.stop();
  });

  it('polls for new blocks and emits them in order', async () => {
    const { chain, server } = await regtestServer();
    const source = new BitcoindChain(
      {},
      { url: server.url, user: 'u', password: 'p', network: 'regtest', pollIntervalMs: 10 },
    );
    await source.start();
    const seen: ChainTip[] = [];
    const third = new Promise<void>((resolve) => {
      source.on('block', (tip) => {
        seen.push(tip);
        if (seen.length === 3) resolve();
      });
    });
    const hashes = await chain.generate(3);
    await third;
    assert.deepEqual(
      seen.map((t) => [t.height, hashToDisplay(t.hash)]),
      hashes.map((h, i) => [i + 1, hashToDisplay(h)]),
    );
    await source.stop();
  });

  it('serialises its errors for the mesh', () => {
    const error = new ChainError('CHAIN_PRUNED', 'gone', { method: 'getblock', rpcCode: -1 });
    const copy = ChainError.fromJSON(JSON.parse(JSON.stringify(error)));
    assert.deepEqual(
      [copy.name, copy.code, copy.message, copy.meta],
      ['ChainError', 'CHAIN_PRUNED', 'gone', error.meta],
    );
  });
});

describe('BitcoindChain polling', { timeout: 30_000 }, () => {
  it('keeps running and emits an error event when a poll fails', async () => {
    const { server } = await regtestServer();
    const source = new BitcoindChain(
      {},
      { url: server.url, user: 'u', password: 'p', network: 'regtest', pollIntervalMs: 10, retries: 0 },
    );
    await source.start();
    const failed = new Promise<Error>((resolve) => source.on('error', resolve));
    await server.stop();
    const error = await failed;
    assert.ok(error instanceof ChainError);
    assert.equal(error.code, 'CHAIN_UNREACHABLE');
    await source.stop();
  });
});

describe('RegtestRpcServer', { timeout: 30_000 }, () => {
  it('answers gettxout with and without the mempool, as Bitcoin Core does', async () => {
    const { chain, server } = await regtestServer({ coinbaseMaturity: 1 });
    const [hash] = await chain.generate(2);
    const cb = Block.fromBuffer((await chain.getBlock(hash!))!.raw).transactions![0]!;
    const client = new BitcoindRpcClient({}, { url: server.url, user: 'u', password: 'p' });
    const txid = cb.getId();
    const confirmations = async (id: string, includeMempool: boolean) =>
      ((await client.call('gettxout', [id, 0, includeMempool])) as { confirmations: number } | null)
        ?.confirmations;
    assert.equal(await confirmations(txid, true), 2);
    const spend = spendTx(cb.getHash(), 0, p2wpkh(key(3).pub), cb.outs[0]!.value - 1000n);
    spend.setWitness(0, [Uint8Array.of(0x51)]);
    await chain.broadcast(spend.toBuffer());
    assert.equal(await confirmations(txid, true), undefined, 'spent in the mempool');
    assert.equal(await confirmations(txid, false), 2);
    assert.equal(await confirmations(spend.getId(), true), 0, 'created in the mempool');
    assert.equal(await confirmations(spend.getId(), false), undefined);
    const missing = await client.call('getblock', ['00'.repeat(32), 0]).catch((e: unknown) => e);
    assert.ok(missing instanceof ChainError && missing.code === 'CHAIN_NOT_FOUND');
    const [verbose] = await client.batch([{ method: 'getblock', params: [hashToDisplay(hash!), 2] }]);
    assert.equal((verbose as { tx: { txid: string }[] }).tx[0]!.txid, txid);
    client.close();
  });
});
