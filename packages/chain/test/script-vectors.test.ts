import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { ChainError, verifyInput } from '../src/index.js';
import { p2wsh } from './helpers.js';

interface Case {
  name: string;
  commitTx: string;
  htlcTxs: { tx: string }[];
}
interface Vectors {
  fundingOutput: { txid: string; vout: number; value: number; witnessScript: string };
  staticRemoteKey: Case[];
  anchors: Case[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/bolt3-commitment-txs.json', import.meta.url), 'utf8'),
) as Vectors;
const fundingSpk = p2wsh(Buffer.from(vectors.fundingOutput.witnessScript, 'hex'));
const fundingValue = BigInt(vectors.fundingOutput.value);

function checkCase(c: Case): void {
  const commit = Transaction.fromHex(c.commitTx);
  assert.equal(commit.ins[0]!.index, vectors.fundingOutput.vout);
  assert.equal(Buffer.from(commit.ins[0]!.hash).reverse().toString('hex'), vectors.fundingOutput.txid);
  verifyInput(commit, 0, { script: fundingSpk, value: fundingValue });
  for (const h of c.htlcTxs) {
    const htlc = Transaction.fromHex(h.tx);
    assert.deepEqual(htlc.ins[0]!.hash, commit.getHash());
    const out = commit.outs[htlc.ins[0]!.index]!;
    verifyInput(htlc, 0, { script: out.script, value: out.value });
  }
}

describe('script interpreter: BOLT 3 Appendix C and F transactions', { timeout: 60_000 }, () => {
  for (const c of vectors.staticRemoteKey) {
    it(`Appendix C: ${c.name}`, () => checkCase(c));
  }
  for (const c of vectors.anchors) {
    it(`Appendix F: ${c.name}`, () => checkCase(c));
  }

  it('covers HTLC-success and HTLC-timeout transactions of both variants', () => {
    assert.ok(vectors.staticRemoteKey.reduce((n, c) => n + c.htlcTxs.length, 0) >= 30);
    assert.ok(vectors.anchors.reduce((n, c) => n + c.htlcTxs.length, 0) >= 10);
  });

  it('rejects a commitment transaction whose output was changed after signing', () => {
    const commit = Transaction.fromHex(vectors.staticRemoteKey[0]!.commitTx);
    commit.outs[0]!.value -= 1n;
    assert.throws(
      () => verifyInput(commit, 0, { script: fundingSpk, value: fundingValue }),
      (e: unknown) =>
        e instanceof ChainError && e.code === 'CHAIN_SCRIPT_FAILED' && e.meta.reason === 'NULLFAIL',
    );
  });

  it('rejects a commitment transaction checked against the wrong funding amount (BIP143 commits to it)', () => {
    const commit = Transaction.fromHex(vectors.staticRemoteKey[0]!.commitTx);
    assert.throws(() => verifyInput(commit, 0, { script: fundingSpk, value: fundingValue + 1n }), ChainError);
  });

  it('anchors HTLC transactions carry a SINGLE|ANYONECANPAY remote signature and still bind the output', () => {
    const c = vectors.anchors.find((x) => x.htlcTxs.length > 0)!;
    const commit = Transaction.fromHex(c.commitTx);
    const htlc = Transaction.fromHex(c.htlcTxs[0]!.tx);
    const out = commit.outs[htlc.ins[0]!.index]!;
    const remoteSig = htlc.ins[0]!.witness[1]!;
    assert.equal(
      remoteSig[remoteSig.length - 1],
      Transaction.SIGHASH_SINGLE | Transaction.SIGHASH_ANYONECANPAY,
    );
    const changed = htlc.clone();
    changed.outs[0]!.value += 1n;
    assert.throws(() => verifyInput(changed, 0, { script: out.script, value: out.value }), ChainError);
  });
});
