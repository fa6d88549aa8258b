import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Block, type Transaction } from 'bitcoinjs-lib';
import { ChainError, GENESIS_HASH_DISPLAY, hashToDisplay, RegtestChain } from '../src/index.js';
import { dustThreshold } from '../src/regtest/consensus.js';
import {
  EMPTY,
  key,
  p2wpkh,
  p2wpkhScriptCode,
  p2wsh,
  signWitness,
  spendTx,
  toLocalScript,
} from './helpers.js';

const alice = key(21);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function started(options: ConstructorParameters<typeof RegtestChain>[1] = {}): Promise<RegtestChain> {
  const chain = new RegtestChain({}, options);
  await chain.start();
  return chain;
}

/** Mines a coinbase to alice and matures it; returns its outpoint and value. */
async function fundedAlice(chain: RegtestChain): Promise<{ txid: Uint8Array; vout: number; value: bigint }> {
  const [hash] = await chain.generate(1, p2wpkh(alice.pub));
  await chain.generate(100);
  const block = Block.fromBuffer((await chain.getBlock(hash!))!.raw);
  const coinbase = block.transactions![0]!;
  return { txid: coinbase.getHash(), vout: 0, value: coinbase.outs[0]!.value };
}

function spendAlice(
  prev: { txid: Uint8Array; vout: number; value: bigint },
  to: Uint8Array,
  fee = 1000n,
  seq = 0xfffffffd,
): Transaction {
  const tx = spendTx(prev.txid, prev.vout, to, prev.value - fee, seq);
  tx.setWitness(0, [signWitness(tx, 0, p2wpkhScriptCode(alice.pub), prev.value, alice), alice.pub]);
  return tx;
}

function rejectedWith(reason: RegExp) {
  return (e: unknown) =>
    e instanceof ChainError && e.code === 'CHAIN_TX_REJECTED' && reason.test(String(e.meta.reason));
}

describe('RegtestChain', { timeout: 120_000 }, () => {
  it("starts from Bitcoin's regtest genesis block (chain_hash)", async () => {
    const chain = await started();
    const hash = await chain.getChainHash();
    assert.equal(hashToDisplay(hash), GENESIS_HASH_DISPLAY.regtest);
    assert.deepEqual(await chain.getTip(), { height: 0, hash });
    await chain.stop();
  });

  it('replays BOLT 3 Appendix B and C: block 1, the P2PKH funding tx, a commitment tx and its HTLC txs', async () => {
    const vectors = JSON.parse(
      readFileSync(new URL('../../test/vectors/bolt3-commitment-txs.json', import.meta.url), 'utf8'),
    );
    const appendixB = readFileSync(
      new URL('../../test/vectors/bolt3-appendix-b.json', import.meta.url),
      'utf8',
    );
    const b = JSON.parse(appendixB) as { block1: string; fundingTx: string };
    const chain = await started({ coinbaseMaturity: 1, minRelayFeePerKvB: 0n });
    await chain.submitBlock(Buffer.from(b.block1, 'hex'));
    const fundingTxid = await chain.broadcast(Buffer.from(b.fundingTx, 'hex'));
    assert.equal(hashToDisplay(fundingTxid), vectors.fundingOutput.txid);
    await chain.generate(1);
    const funding = await chain.outputAtShortChannelId({ blockHeight: 2, txIndex: 1, outputIndex: 0 });
    assert.equal(funding?.value, 10_000_000n);
    assert.equal(funding?.unspent, true);
    const c = vectors.staticRemoteKey.find((x: { htlcTxs: unknown[] }) => x.htlcTxs.length === 5);
    await chain.broadcast(Buffer.from(c.commitTx, 'hex'));
    for (const h of c.htlcTxs.filter((x: { kind: string }) => x.kind === 'htlc_success_tx')) {
      await chain.broadcast(Buffer.from(h.tx, 'hex'));
    }
    const timeouts = c.htlcTxs.filter((x: { kind: string }) => x.kind === 'htlc_timeout_tx');
    // HTLC-timeout transactions are locked to cltv_expiry (block 502 and up).
    await assert.rejects(chain.broadcast(Buffer.from(timeouts[0].tx, 'hex')), rejectedWith(/non-final/));
    await chain.generate(505 - 3);
    for (const h of timeouts) await chain.broadcast(Buffer.from(h.tx, 'hex'));
    await chain.generate(1);
    assert.equal(chain.getMempool().length, 0);
    assert.equal(
      (await chain.outputAtShortChannelId({ blockHeight: 2, txIndex: 1, outputIndex: 0 }))?.unspent,
      false,
    );
    await chain.stop();
  });

  it('enforces coinbase maturity, unspent inputs, amounts and signatures', async () => {
    const chain = await started();
    const [hash] = await chain.generate(1, p2wpkh(alice.pub));
    await chain.generate(98);
    const coinbase = Block.fromBuffer((await chain.getBlock(hash!))!.raw).transactions![0]!;
    const prev = { txid: coinbase.getHash(), vout: 0, value: coinbase.outs[0]!.value };
    const tx = spendAlice(prev, p2wpkh(alice.pub));
    await assert.rejects(chain.broadcast(tx.toBuffer()), rejectedWith(/premature-spend-of-coinbase/));
    await chain.generate(1);
    const tooMuch = spendAlice(prev, p2wpkh(alice.pub), -1n);
    await assert.rejects(chain.broadcast(tooMuch.toBuffer()), rejectedWith(/in-belowout/));
    const badSig = spendAlice(prev, p2wpkh(alice.pub));
    badSig.outs[0]!.value -= 1n;
    await assert.rejects(
      chain.broadcast(badSig.toBuffer()),
      rejectedWith(/mandatory-script-verify-flag-failed \(NULLFAIL\)/),
    );
    const txid = await chain.broadcast(tx.toBuffer());
    assert.deepEqual(await chain.broadcast(tx.toBuffer()), txid, 'resubmitting a mempool tx is idempotent');
    const conflict = spendAlice(prev, p2wpkh(alice.pub), 2000n);
    await assert.rejects(chain.broadcast(conflict.toBuffer()), rejectedWith(/txn-mempool-conflict/));
    const missing = spendAlice({ ...prev, vout: 5 }, p2wpkh(alice.pub));
    await assert.rejects(chain.broadcast(missing.toBuffer()), rejectedWith(/missingorspent/));
    const noFee = spendAlice(prev, p2wpkh(alice.pub), 0n);
    await assert.rejects(
      chain.broadcast(noFee.toBuffer()),
      rejectedWith(/txn-mempool-conflict|min relay fee/),
    );
    await chain.generate(1);
    await assert.rejects(chain.broadcast(tx.toBuffer()), rejectedWith(/already-in-chain/));
    await chain.stop();
  });

  it('accepts chains of unconfirmed transactions and mines them in order', async () => {
    const chain = await started();
    const prev = await fundedAlice(chain);
    const parent = spendAlice(prev, p2wpkh(alice.pub));
    const child = spendAlice(
      { txid: parent.getHash(), vout: 0, value: parent.outs[0]!.value },
      p2wpkh(alice.pub),
    );
    await chain.broadcast(parent.toBuffer());
    await chain.broadcast(child.toBuffer());
    const [hash] = await chain.generate(1);
    const block = Block.fromBuffer((await chain.getBlock(hash!))!.raw);
    assert.deepEqual(
      block.transactions!.slice(1).map((t) => t.getId()),
      [parent.getId(), child.getId()],
    );
    assert.equal(block.transactions![0]!.outs[0]!.value, 5_000_000_000n + 2000n, 'fees go to the coinbase');
    await chain.stop();
  });

  it('enforces BIP68 relative lock-times on a to_local output', async () => {
    const chain = await started();
    const prev = await fundedAlice(chain);
    const delayed = key(22);
    const script = toLocalScript(key(23).pub, 5, delayed.pub);
    const fund = spendAlice(prev, p2wsh(script));
    await chain.broadcast(fund.toBuffer());
    await chain.generate(1);
    const value = fund.outs[0]!.value;
    const sweep = spendTx(fund.getHash(), 0, p2wpkh(alice.pub), value - 1000n, 5);
    sweep.setWitness(0, [signWitness(sweep, 0, script, value, delayed), EMPTY, script]);
    await assert.rejects(chain.broadcast(sweep.toBuffer()), rejectedWith(/non-BIP68-final/));
    await chain.generate(3);
    await assert.rejects(chain.broadcast(sweep.toBuffer()), rejectedWith(/non-BIP68-final/));
    await chain.generate(1);
    await chain.broadcast(sweep.toBuffer());
    await chain.stop();
  });

  it('returns disconnected transactions to the mempool on a reorg', async () => {
    const chain = await started();
    const prev = await fundedAlice(chain);
    const tx = spendAlice(prev, p2wpkh(alice.pub));
    await chain.broadcast(tx.toBuffer());
    const [hash] = await chain.generate(1);
    assert.equal((await chain.getTransaction(tx.getHash()))?.confirmation?.height, 102);
    await chain.invalidateBlock(hash!);
    assert.equal((await chain.getTip()).height, 101);
    assert.equal((await chain.getTransaction(tx.getHash()))?.confirmation, undefined);
    assert.deepEqual(chain.getMempool(), [tx.getHash()]);
    const hashes = await chain.reorg(1);
    assert.equal(hashes.length, 2);
    assert.equal((await chain.getTransaction(tx.getHash()))?.confirmation?.height, 101);
    await chain.stop();
  });

  it('persists to its data directory and reloads the same chain, cutting a torn tail', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shoal-chain-'));
    dirs.push(dataDir);
    const chain = await started({ dataDir });
    const prev = await fundedAlice(chain);
    const tx = spendAlice(prev, p2wpkh(alice.pub));
    await chain.broadcast(tx.toBuffer());
    await chain.generate(2);
    await chain.reorg(1);
    const tip = await chain.getTip();
    const utxo = await chain.getUtxo({ txid: tx.getHash(), vout: 0 });
    await chain.stop();
    appendFileSync(join(dataDir, 'regtest-chain.log'), Buffer.from([1, 0xff, 0xff, 0, 0, 7]));
    const again = await started({ dataDir });
    assert.deepEqual(await again.getTip(), tip);
    assert.deepEqual(await again.getUtxo({ txid: tx.getHash(), vout: 0 }), utxo);
    assert.equal((await again.getTransaction(tx.getHash()))?.confirmation?.height, 102);
    await again.generate(1);
    await again.stop();
    const third = await started({ dataDir });
    assert.equal((await third.getTip()).height, tip.height + 1);
    await third.stop();
    await third.start();
    assert.equal((await third.getTip()).height, tip.height + 1, 'restart in place does not replay twice');
    await third.generate(1);
    await third.stop();
    const fourth = await started({ dataDir });
    assert.equal((await fourth.getTip()).height, tip.height + 2);
    await fourth.stop();
  });

  it("applies Bitcoin Core's dust policy (P2WPKH 294, P2WSH 330, P2PKH 546 sat) unless told not to", async () => {
    assert.deepEqual(
      [
        p2wpkh(alice.pub),
        p2wsh(Uint8Array.of(0x51)),
        Buffer.from(`76a914${'00'.repeat(20)}88ac`, 'hex'),
        Uint8Array.of(0x6a),
      ].map(dustThreshold),
      [294n, 330n, 546n, 0n],
    );
    for (const standardness of [true, false]) {
      const chain = await started({ standardness });
      const prev = await fundedAlice(chain);
      const tx = spendTx(prev.txid, prev.vout, p2wpkh(alice.pub), 293n);
      tx.addOutput(p2wpkh(alice.pub), prev.value - 293n - 1000n);
      tx.setWitness(0, [signWitness(tx, 0, p2wpkhScriptCode(alice.pub), prev.value, alice), alice.pub]);
      if (standardness) await assert.rejects(chain.broadcast(tx.toBuffer()), rejectedWith(/^dust$/));
      else await chain.broadcast(tx.toBuffer());
      await chain.stop();
    }
  });

  it('pays coinbases to an anyone-can-spend P2WSH(OP_TRUE) by default', async () => {
    const chain = await started({ coinbaseMaturity: 1 });
    const [hash] = await chain.generate(2);
    const coinbase = Block.fromBuffer((await chain.getBlock(hash!))!.raw).transactions![0]!;
    const tx = spendTx(coinbase.getHash(), 0, p2wpkh(alice.pub), coinbase.outs[0]!.value - 1000n);
    tx.setWitness(0, [Uint8Array.of(0x51)]);
    await chain.broadcast(tx.toBuffer());
    await chain.stop();
  });
});
