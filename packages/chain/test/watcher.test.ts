import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Block } from 'bitcoinjs-lib';
import { ChainError, type ChainEvents, RegtestChain } from '../src/index.js';
import { p2wpkh, spendTx } from './helpers.js';

async function chainWithCoin() {
  const chain = new RegtestChain({}, { coinbaseMaturity: 1 });
  await chain.start();
  const [hash] = await chain.generate(2);
  const coinbase = Block.fromBuffer((await chain.getBlock(hash!))!.raw).transactions![0]!;
  const tx = spendTx(
    coinbase.getHash(),
    0,
    p2wpkh(new Uint8Array(33).fill(2)),
    coinbase.outs[0]!.value - 1000n,
  );
  tx.setWitness(0, [Uint8Array.of(0x51)]);
  return { chain, tx, outpoint: { txid: coinbase.getHash(), vout: 0 } };
}

function log(chain: RegtestChain): string[] {
  const lines: string[] = [];
  const names: (keyof ChainEvents)[] = [
    'block',
    'blockDisconnected',
    'spent',
    'spendReorged',
    'confirmed',
    'unconfirmed',
  ];
  for (const name of names) {
    chain.on(name, (e) => {
      const height = 'height' in e ? e.height : 'previousHeight' in e ? e.previousHeight : '';
      lines.push(`${name}${height === '' ? '' : ` ${height}`}`);
    });
  }
  return lines;
}

describe('ChainWatcher on a regtest chain', { timeout: 30_000 }, () => {
  it('walks back to the fork point of a 3-block reorg and forward on the new branch', async () => {
    const { chain, tx, outpoint } = await chainWithCoin();
    await chain.watchConfirmations(tx.getHash(), 2, { id: 'c' });
    await chain.watchSpend(outpoint, { id: 's' });
    await chain.broadcast(tx.toBuffer());
    await chain.generate(3);
    const lines = log(chain);
    await chain.reorg(3);
    assert.deepEqual(lines, [
      'blockDisconnected 5',
      'blockDisconnected 4',
      'blockDisconnected 3',
      'spendReorged',
      'unconfirmed 3',
      'block 3',
      'spent 3',
      'block 4',
      'block 5',
      'block 6',
      'confirmed 3',
    ]);
    await chain.stop();
  });

  it('stops reporting after unwatch', async () => {
    const { chain, tx } = await chainWithCoin();
    const events: unknown[] = [];
    chain.on('confirmed', (e) => events.push(e));
    const id = await chain.watchConfirmations(tx.getHash(), 1);
    chain.unwatch(id);
    await chain.broadcast(tx.toBuffer());
    await chain.generate(1);
    assert.equal(events.length, 0);
    await chain.stop();
  });

  it('refuses bad depths and use before start', async () => {
    const chain = new RegtestChain({}, {});
    await assert.rejects(
      chain.watchConfirmations(new Uint8Array(32), 1),
      (e: unknown) => e instanceof ChainError && e.code === 'CHAIN_NOT_STARTED',
    );
    await chain.start();
    await assert.rejects(
      chain.watchConfirmations(new Uint8Array(32), 0),
      (e: unknown) => e instanceof ChainError && e.code === 'CHAIN_INVALID_ARGUMENT',
    );
    await chain.stop();
  });
});
