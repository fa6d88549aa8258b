import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Block, address as baddress, networks, type Transaction } from 'bitcoinjs-lib';
import {
  ChainError,
  type ChainEvents,
  type ChainSource,
  GENESIS_HASH_DISPLAY,
  hashToDisplay,
  type OutPoint,
} from '../src/index.js';
import {
  EMPTY,
  fundingScript,
  key,
  p2wpkh,
  p2wpkhScriptCode,
  p2wsh,
  signWitness,
  spendTx,
} from './helpers.js';

/** What the compliance suite needs besides the source: a way to mine and to reorganise. */
export interface ComplianceHarness {
  readonly source: ChainSource;
  generate(n: number, address: string): Promise<void>;
  invalidateBlock(hash: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

interface Coin {
  readonly outpoint: OutPoint;
  readonly value: bigint;
}

const wallet = key(77);
const walletAddress = baddress.fromOutputScript(p2wpkh(wallet.pub), networks.regtest);
const otherAddress = baddress.fromOutputScript(p2wpkh(key(80).pub), networks.regtest);
const [fundA, fundB] = [key(78), key(79)];
const FEE = 20_000n;

function spendWallet(coin: Coin, outScript: Uint8Array, fee = FEE): Transaction {
  const tx = spendTx(coin.outpoint.txid, coin.outpoint.vout, outScript, coin.value - fee);
  tx.setWitness(0, [signWitness(tx, 0, p2wpkhScriptCode(wallet.pub), coin.value, wallet), wallet.pub]);
  return tx;
}

/** Records every event of a source. */
function record(source: ChainSource) {
  const seen: { [K in keyof ChainEvents]: ChainEvents[K][] } = {
    block: [],
    blockDisconnected: [],
    spent: [],
    spendReorged: [],
    confirmed: [],
    unconfirmed: [],
    error: [],
  };
  const offs = (Object.keys(seen) as (keyof ChainEvents)[]).map((name) =>
    source.on(name, ((e: unknown) => {
      (seen[name] as unknown[]).push(e);
    }) as (e: ChainEvents[typeof name]) => void),
  );
  const stop = (): void => {
    for (const off of offs) off();
  };
  return { seen, stop };
}

/**
 * The ChainSource contract, run against every implementation (regtest in process, the bitcoind
 * client against the regtest RPC server, and a real bitcoind when BITCOIND_RPC_URL is set).
 */
export function chainSourceCompliance(name: string, factory: () => Promise<ComplianceHarness>): void {
  describe(`ChainSource compliance: ${name}`, { timeout: 180_000 }, () => {
    let h: ComplianceHarness;
    let source: ChainSource;
    const coins: Coin[] = [];

    before(async () => {
      h = await factory();
      source = h.source;
      const start = (await source.getTip()).height;
      await h.generate(4, walletAddress);
      await h.generate(100, walletAddress);
      for (let height = start + 1; height <= start + 4; height++) {
        const hash = (await source.getBlockHash(height))!;
        const coinbase = Block.fromBuffer((await source.getBlock(hash))!.raw).transactions![0]!;
        coins.push({ outpoint: { txid: coinbase.getHash(), vout: 0 }, value: coinbase.outs[0]!.value });
      }
      await source.sync();
    });

    after(async () => {
      await h?.close();
    });

    it("has Bitcoin's regtest genesis block as chain_hash", async () => {
      assert.equal(hashToDisplay(await source.getChainHash()), GENESIS_HASH_DISPLAY.regtest);
      assert.equal(source.network, 'regtest');
    });

    it('agrees with itself on tip, block hashes and blocks', async () => {
      const tip = await source.getTip();
      assert.deepEqual(await source.getBlockHash(tip.height), tip.hash);
      assert.equal(await source.getBlockHash(tip.height + 1), undefined);
      const block = (await source.getBlock(tip.hash))!;
      assert.equal(block.height, tip.height);
      assert.deepEqual(block.previousHash, await source.getBlockHash(tip.height - 1));
      assert.deepEqual(Block.fromBuffer(block.raw).getHash(), tip.hash);
      assert.equal(await source.getBlock(new Uint8Array(32).fill(9)), undefined);
      assert.equal(await source.getTransaction(new Uint8Array(32).fill(9)), undefined);
    });

    it('reports a mature coinbase as a UTXO', async () => {
      const utxo = (await source.getUtxo(coins[0]!.outpoint))!;
      assert.equal(utxo.value, coins[0]!.value);
      assert.deepEqual(utxo.script, p2wpkh(wallet.pub));
      assert.equal(utxo.coinbase, true);
      assert.deepEqual(await source.getBlockHash(utxo.height), (await source.getBlockHash(utxo.height))!);
      assert.equal(await source.getUtxo({ txid: coins[0]!.outpoint.txid, vout: 7 }), undefined);
    });

    it('broadcasts, confirms, and finds the funding output behind a short channel id', async () => {
      const script = fundingScript(fundA.pub, fundB.pub);
      const funding = spendWallet(coins[0]!, p2wsh(script));
      const txid = await source.broadcast(funding.toBuffer());
      assert.deepEqual(txid, funding.getHash());
      assert.equal((await source.getTransaction(txid))?.confirmation, undefined);
      assert.ok(await source.getUtxo(coins[0]!.outpoint), 'getUtxo reflects confirmed blocks only');
      await h.generate(1, walletAddress);
      const tip = await source.getTip();
      const confirmed = (await source.getTransaction(txid))!;
      assert.equal(confirmed.confirmation?.height, tip.height);
      assert.deepEqual(confirmed.confirmation?.blockHash, tip.hash);
      const block = Block.fromBuffer((await source.getBlock(tip.hash))!.raw);
      const txIndex = block.transactions!.findIndex((t) => t.getId() === funding.getId());
      const scid = { blockHeight: tip.height, txIndex, outputIndex: 0 };
      const out = (await source.outputAtShortChannelId(scid))!;
      assert.deepEqual(out.outpoint, { txid, vout: 0 });
      assert.equal(out.value, funding.outs[0]!.value);
      assert.deepEqual(out.script, p2wsh(script));
      assert.equal(out.unspent, true);
      assert.equal(await source.outputAtShortChannelId({ ...scid, outputIndex: 1 }), undefined);
      assert.equal(await source.outputAtShortChannelId({ ...scid, txIndex: 99 }), undefined);
      assert.equal(await source.outputAtShortChannelId({ ...scid, blockHeight: tip.height + 5 }), undefined);

      const value = funding.outs[0]!.value;
      const close = spendTx(txid, 0, p2wpkh(wallet.pub), value - FEE, 0xffffffff);
      const [first, second] =
        Buffer.compare(Buffer.from(fundA.pub), Buffer.from(fundB.pub)) < 0 ? [fundA, fundB] : [fundB, fundA];
      close.setWitness(0, [
        EMPTY,
        signWitness(close, 0, script, value, first),
        signWitness(close, 0, script, value, second),
        script,
      ]);
      await source.broadcast(close.toBuffer());
      await h.generate(1, walletAddress);
      assert.equal((await source.outputAtShortChannelId(scid))?.unspent, false);
    });

    it('rejects double spends and bad signatures with CHAIN_TX_REJECTED', async () => {
      const again = spendWallet(coins[0]!, p2wpkh(wallet.pub), FEE * 2n);
      const isRejected = (e: unknown) => e instanceof ChainError && e.code === 'CHAIN_TX_REJECTED';
      await assert.rejects(source.broadcast(again.toBuffer()), isRejected);
      const bad = spendWallet(coins[1]!, p2wpkh(wallet.pub));
      bad.outs[0]!.value -= 1n;
      await assert.rejects(source.broadcast(bad.toBuffer()), isRejected);
    });

    it('reports spends and confirmations at the requested depth', async () => {
      const events = record(source);
      const tx = spendWallet(coins[1]!, p2wpkh(wallet.pub));
      const confId = await source.watchConfirmations(tx.getHash(), 3);
      const spendId = await source.watchSpend(coins[1]!.outpoint);
      await source.broadcast(tx.toBuffer());
      await h.generate(1, walletAddress);
      await source.sync();
      assert.equal(events.seen.spent.length, 1);
      const spent = events.seen.spent[0]!;
      assert.equal(spent.watchId, spendId);
      assert.deepEqual(spent.spendingTxid, tx.getHash());
      assert.equal(spent.inputIndex, 0);
      assert.equal(events.seen.confirmed.length, 0, 'depth 1 of 3');
      await h.generate(2, walletAddress);
      await source.sync();
      assert.equal(events.seen.confirmed.length, 1);
      const confirmed = events.seen.confirmed[0]!;
      assert.equal(confirmed.watchId, confId);
      assert.equal(confirmed.depth, 3);
      assert.equal(confirmed.height, spent.height);
      assert.ok(events.seen.block.length >= 3);
      events.stop();
      source.unwatch(confId);
      source.unwatch(spendId);
    });

    it('finds past spends and confirmations when asked to rescan from a height', async () => {
      const events = record(source);
      const found = (await source.getTransaction(coins[0]!.outpoint.txid))!;
      const fromHeight = found.confirmation!.height;
      const id = await source.watchSpend(coins[0]!.outpoint, { id: 'rescan-spend', fromHeight });
      assert.equal(id, 'rescan-spend');
      assert.equal(events.seen.spent.length, 1);
      assert.equal(events.seen.spent[0]!.watchId, 'rescan-spend');
      await source.watchConfirmations(coins[0]!.outpoint.txid, 1, { id: 'rescan-conf', fromHeight });
      assert.equal(events.seen.confirmed.length, 1);
      events.stop();
      source.unwatch('rescan-spend');
      source.unwatch('rescan-conf');
    });

    it('reports a confirmation and a spend that a reorg takes away, and the re-confirmation', async () => {
      const events = record(source);
      const tx = spendWallet(coins[2]!, p2wpkh(wallet.pub));
      await source.watchConfirmations(tx.getHash(), 1, { id: 'reorg-conf' });
      await source.watchSpend(coins[2]!.outpoint, { id: 'reorg-spend' });
      await source.broadcast(tx.toBuffer());
      await h.generate(1, walletAddress);
      await source.sync();
      assert.equal(events.seen.confirmed.length, 1);
      const minedIn = events.seen.confirmed[0]!;
      await h.invalidateBlock(minedIn.blockHash);
      await source.sync();
      assert.deepEqual(
        events.seen.unconfirmed.map((e) => [e.watchId, e.previousHeight]),
        [['reorg-conf', minedIn.height]],
      );
      assert.equal(events.seen.spendReorged.length, 1);
      assert.equal(events.seen.blockDisconnected.at(-1)?.height, minedIn.height);
      assert.equal((await source.getTransaction(tx.getHash()))?.confirmation, undefined);
      // Another payout address, so the new block differs from the invalidated one.
      await h.generate(1, otherAddress);
      await source.sync();
      assert.equal(events.seen.confirmed.length, 2, 'confirmed again after the reorg');
      assert.notDeepEqual(events.seen.confirmed[1]!.blockHash, minedIn.blockHash);
      assert.equal(events.seen.spent.length, 2);
      events.stop();
    });

    it('estimates a fee rate of at least 253 sat/kw', async () => {
      const fee = await source.estimateFee(6);
      assert.ok(fee.satPerKw >= 253n);
      assert.equal(fee.satPerKvB, fee.satPerKw * 4n);
    });
  });
}
