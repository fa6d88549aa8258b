import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Transaction } from 'bitcoinjs-lib';
import { ChainError, type ScriptFailure, verifyInput } from '../src/index.js';
import { decodeScriptNum, encodeScriptNum } from '../src/script/script-num.js';
import {
  anchorScript,
  EMPTY,
  fundingScript,
  key,
  offeredHtlcScript,
  p2wpkh,
  p2wpkhScriptCode,
  p2wsh,
  receivedHtlcScript,
  sha256,
  signWitness,
  spendTx,
  toLocalScript,
  toRemoteAnchorsScript,
} from './helpers.js';

const PREV = new Uint8Array(32).fill(0xab);
const VALUE = 100_000n;
const ALL = Transaction.SIGHASH_ALL;
const [local, remote, revocation, delayed, localHtlc, remoteHtlc] = [1, 2, 3, 4, 5, 6].map(key) as [
  ReturnType<typeof key>,
  ReturnType<typeof key>,
  ReturnType<typeof key>,
  ReturnType<typeof key>,
  ReturnType<typeof key>,
  ReturnType<typeof key>,
];
const preimage = new Uint8Array(32).fill(0x42);
const paymentHash = sha256(preimage);

interface SpendOptions {
  sequence?: number;
  locktime?: number;
  version?: number;
}

/** Builds a spend of a P2WSH output of `script`; `witness` gets the tx to sign and returns the stack. */
function spendWsh(
  script: Uint8Array,
  witness: (tx: Transaction) => Uint8Array[],
  o: SpendOptions = {},
): () => void {
  const tx = spendTx(PREV, 0, p2wpkh(local.pub), VALUE - 1000n, o.sequence ?? 0, o.locktime ?? 0);
  if (o.version !== undefined) tx.version = o.version;
  tx.setWitness(0, [...witness(tx), script]);
  return () => verifyInput(tx, 0, { script: p2wsh(script), value: VALUE });
}

function fails(run: () => void, reason: ScriptFailure): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof ChainError, String(e));
    assert.equal(e.code, 'CHAIN_SCRIPT_FAILED');
    assert.equal(e.meta.reason, reason);
    return true;
  });
}

const sig = (tx: Transaction, script: Uint8Array, k: ReturnType<typeof key>, hashType = ALL) =>
  signWitness(tx, 0, script, VALUE, k, hashType);

describe('script interpreter: BOLT 3 scripts built and signed here', { timeout: 30_000 }, () => {
  it('P2WPKH: the key holder can spend, another key cannot', () => {
    const tx = spendTx(PREV, 0, p2wpkh(remote.pub), VALUE - 500n);
    tx.setWitness(0, [signWitness(tx, 0, p2wpkhScriptCode(local.pub), VALUE, local), local.pub]);
    verifyInput(tx, 0, { script: p2wpkh(local.pub), value: VALUE });
    tx.setWitness(0, [signWitness(tx, 0, p2wpkhScriptCode(remote.pub), VALUE, remote), remote.pub]);
    fails(() => verifyInput(tx, 0, { script: p2wpkh(local.pub), value: VALUE }), 'EQUALVERIFY');
  });

  it('funding 2-of-2: both signatures in key order; wrong order and non-empty dummy fail', () => {
    const script = fundingScript(local.pub, remote.pub);
    const [first, second] =
      Buffer.compare(Buffer.from(local.pub), Buffer.from(remote.pub)) < 0 ? [local, remote] : [remote, local];
    spendWsh(script, (tx) => [EMPTY, sig(tx, script, first), sig(tx, script, second)])();
    fails(
      spendWsh(script, (tx) => [EMPTY, sig(tx, script, second), sig(tx, script, first)]),
      'NULLFAIL',
    );
    fails(
      spendWsh(script, (tx) => [Uint8Array.of(1), sig(tx, script, first), sig(tx, script, second)]),
      'SIG_NULLDUMMY',
    );
    fails(
      spendWsh(script, (tx) => [EMPTY, sig(tx, script, first)]),
      'INVALID_STACK_OPERATION',
    );
  });

  it('to_local: revocation at once; delayed key only after to_self_delay (BIP68/BIP112)', () => {
    const script = toLocalScript(revocation.pub, 144, delayed.pub);
    spendWsh(script, (tx) => [sig(tx, script, revocation), Uint8Array.of(1)])();
    spendWsh(script, (tx) => [sig(tx, script, delayed), EMPTY], { sequence: 144 })();
    fails(
      spendWsh(script, (tx) => [sig(tx, script, delayed), EMPTY], { sequence: 143 }),
      'UNSATISFIED_LOCKTIME',
    );
    fails(
      spendWsh(script, (tx) => [sig(tx, script, delayed), EMPTY], { sequence: 144, version: 1 }),
      'UNSATISFIED_LOCKTIME',
    );
    fails(
      spendWsh(script, (tx) => [sig(tx, script, delayed), EMPTY], { sequence: (0x80000000 | 144) >>> 0 }),
      'UNSATISFIED_LOCKTIME',
    );
    fails(
      spendWsh(script, (tx) => [sig(tx, script, revocation), Uint8Array.of(2)]),
      'MINIMALIF',
    );
    fails(
      spendWsh(script, (tx) => [sig(tx, script, delayed), Uint8Array.of(1)]),
      'NULLFAIL',
    );
  });

  it('to_remote (anchors): needs one confirmation of relative delay', () => {
    const script = toRemoteAnchorsScript(remote.pub);
    spendWsh(script, (tx) => [sig(tx, script, remote)], { sequence: 1 })();
    fails(
      spendWsh(script, (tx) => [sig(tx, script, remote)], { sequence: 0 }),
      'UNSATISFIED_LOCKTIME',
    );
  });

  it('anchor: funding key at once, anyone after 16 blocks', () => {
    const script = anchorScript(local.pub);
    spendWsh(script, (tx) => [sig(tx, script, local)])();
    spendWsh(script, () => [EMPTY], { sequence: 16 })();
    fails(
      spendWsh(script, () => [EMPTY], { sequence: 15 }),
      'UNSATISFIED_LOCKTIME',
    );
  });

  it('offered HTLC (anchors): revocation, remote with preimage after 1 block, timeout via 2-of-2', () => {
    const script = offeredHtlcScript(revocation.pub, remoteHtlc.pub, localHtlc.pub, paymentHash, true);
    spendWsh(script, (tx) => [sig(tx, script, revocation), revocation.pub], { sequence: 1 })();
    spendWsh(script, (tx) => [sig(tx, script, remoteHtlc), preimage], { sequence: 1 })();
    fails(
      spendWsh(script, (tx) => [sig(tx, script, remoteHtlc), new Uint8Array(32)], { sequence: 1 }),
      'EQUALVERIFY',
    );
    fails(
      spendWsh(script, (tx) => [sig(tx, script, remoteHtlc), preimage], { sequence: 0 }),
      'UNSATISFIED_LOCKTIME',
    );
    const acp = Transaction.SIGHASH_SINGLE | Transaction.SIGHASH_ANYONECANPAY;
    spendWsh(script, (tx) => [EMPTY, sig(tx, script, remoteHtlc, acp), sig(tx, script, localHtlc), EMPTY], {
      sequence: 1,
    })();
  });

  it('received HTLC: success with preimage via 2-of-2, remote timeout only after cltv_expiry (BIP65)', () => {
    const cltv = 500_123;
    const script = receivedHtlcScript(
      revocation.pub,
      remoteHtlc.pub,
      localHtlc.pub,
      paymentHash,
      cltv,
      false,
    );
    spendWsh(script, (tx) => [EMPTY, sig(tx, script, remoteHtlc), sig(tx, script, localHtlc), preimage])();
    spendWsh(script, (tx) => [sig(tx, script, remoteHtlc), EMPTY], { locktime: cltv })();
    fails(
      spendWsh(script, (tx) => [sig(tx, script, remoteHtlc), EMPTY], { locktime: cltv - 1 }),
      'UNSATISFIED_LOCKTIME',
    );
    fails(
      spendWsh(script, (tx) => [sig(tx, script, remoteHtlc), EMPTY], {
        locktime: cltv,
        sequence: 0xffffffff,
      }),
      'UNSATISFIED_LOCKTIME',
    );
    fails(
      spendWsh(script, (tx) => [sig(tx, script, remoteHtlc), EMPTY], { locktime: 600_000_000 }),
      'UNSATISFIED_LOCKTIME',
    );
    spendWsh(script, (tx) => [sig(tx, script, revocation), revocation.pub])();
  });

  it('received HTLC (anchors): the 1-block CSV applies to every non-revocation path', () => {
    const script = receivedHtlcScript(revocation.pub, remoteHtlc.pub, localHtlc.pub, paymentHash, 100, true);
    spendWsh(script, (tx) => [sig(tx, script, remoteHtlc), EMPTY], { locktime: 100, sequence: 1 })();
    fails(
      spendWsh(script, (tx) => [sig(tx, script, remoteHtlc), EMPTY], { locktime: 100, sequence: 0 }),
      'UNSATISFIED_LOCKTIME',
    );
  });

  it('rejects high-S, bad sighash types, uncompressed keys, unsupported opcodes and non-minimal pushes', () => {
    const script = toRemoteAnchorsScript(remote.pub);
    const highS = (tx: Transaction) => {
      const s = sig(tx, script, remote);
      const der = Buffer.from(s.subarray(0, -1));
      const rLen = der[3]!;
      const sOff = 4 + rLen + 2;
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const sVal = BigInt(`0x${der.subarray(sOff, sOff + der[sOff - 1]!).toString('hex')}`);
      const hi = (n - sVal).toString(16).padStart(64, '0');
      const sBytes = Buffer.from(hi, 'hex');
      const body = Buffer.concat([der.subarray(2, sOff - 2), Buffer.from([0x02, 33, 0]), sBytes]);
      return new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body, Buffer.from([ALL])]));
    };
    fails(
      spendWsh(script, (tx) => [highS(tx)], { sequence: 1 }),
      'SIG_HIGH_S',
    );
    const badType = (tx: Transaction) => {
      const s = sig(tx, script, remote);
      s[s.length - 1] = 0x04;
      return s;
    };
    fails(
      spendWsh(script, (tx) => [badType(tx)], { sequence: 1 }),
      'SIG_HASHTYPE',
    );
    fails(
      spendWsh(Uint8Array.of(0x51, 0x51, 0x7e), () => []),
      'UNSUPPORTED_OPCODE',
    );
    fails(
      spendWsh(Uint8Array.of(0x4c, 0x01, 0x55), () => []),
      'MINIMALDATA',
    );
    fails(
      spendWsh(Uint8Array.of(0x51, 0x51), () => []),
      'CLEANSTACK',
    );
    fails(
      spendWsh(Uint8Array.of(0x00), () => []),
      'EVAL_FALSE',
    );
    fails(
      spendWsh(Uint8Array.of(0x63, 0x51), () => [Uint8Array.of(1)]),
      'UNBALANCED_CONDITIONAL',
    );
  });

  it('script numbers round-trip and non-minimal encodings are refused', () => {
    for (const n of [
      0,
      1,
      -1,
      16,
      127,
      128,
      255,
      256,
      -255,
      32767,
      2 ** 31 - 1,
      -(2 ** 31 - 1),
      2 ** 39 - 1,
    ]) {
      assert.equal(decodeScriptNum(encodeScriptNum(n), 5), n);
    }
    assert.throws(() => decodeScriptNum(Uint8Array.of(1, 0)), ChainError);
    assert.throws(() => decodeScriptNum(Uint8Array.of(1, 2, 3, 4, 5)), ChainError);
  });
});
