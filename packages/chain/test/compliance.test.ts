import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BitcoindChain, hashToDisplay, RegtestChain, RegtestRpcServer } from '../src/index.js';
import { chainSourceCompliance } from './compliance.js';

chainSourceCompliance('regtest (in process)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-chain-compliance-'));
  const chain = new RegtestChain({}, { dataDir });
  await chain.start();
  // The shared suite (./compliance.ts, where the assertions are) expects a fresh chain.
  assert.equal((await chain.getTip()).height, 0, 'a fresh regtest chain starts at genesis');
  return {
    source: chain,
    generate: async (n, address) => void (await chain.generate(n, address)),
    invalidateBlock: (hash) => chain.invalidateBlock(hash),
    close: async () => {
      await chain.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

chainSourceCompliance('bitcoind client against the regtest RPC server', async () => {
  const chain = new RegtestChain({}, {});
  await chain.start();
  const server = new RegtestRpcServer({ chain }, { user: 'shoal', password: 'test-password' });
  await server.start();
  const source = new BitcoindChain(
    {},
    { url: server.url, user: 'shoal', password: 'test-password', network: 'regtest', pollIntervalMs: 0 },
  );
  await source.start();
  assert.equal((await source.getTip()).height, 0, 'the client sees the fresh chain behind the RPC server');
  return {
    source,
    generate: async (n, address) => void (await source.rpc.call('generatetoaddress', [n, address])),
    invalidateBlock: async (hash) => void (await source.rpc.call('invalidateblock', [hashToDisplay(hash)])),
    close: async () => {
      await source.stop();
      await server.stop();
      await chain.stop();
    },
  };
});

// The only conditional run: a real Bitcoin Core node in regtest mode (see the package README).
const realNode = process.env.BITCOIND_RPC_URL;
if (realNode) {
  chainSourceCompliance('bitcoind client against a real bitcoind (BITCOIND_RPC_URL)', async () => {
    const source = new BitcoindChain(
      {},
      {
        url: realNode,
        cookieFile: process.env.BITCOIND_RPC_COOKIE,
        network: 'regtest',
        pollIntervalMs: 0,
        fallbackFeeRatePerKw: 2500n,
      },
    );
    await source.start();
    return {
      source,
      generate: async (n, address) => void (await source.rpc.call('generatetoaddress', [n, address])),
      invalidateBlock: async (hash) => void (await source.rpc.call('invalidateblock', [hashToDisplay(hash)])),
      close: () => source.stop(),
    };
  });
}
