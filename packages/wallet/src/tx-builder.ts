import type { OutPoint } from '@shoal/chain';
import { secp256k1 } from '@shoal/crypto';
import { script as bscript, Transaction } from 'bitcoinjs-lib';
import { p2wpkhScriptCode } from './address.js';
import { SEQUENCE_RBF } from './constants.js';
import type { WalletKey } from './keys.js';

/** A P2WPKH coin to spend, with its key. */
export interface SpendableInput {
  readonly outpoint: OutPoint;
  readonly value: bigint;
  readonly key: WalletKey;
}

/** An output to create. */
export interface TxOutput {
  readonly script: Uint8Array;
  readonly value: bigint;
}

/** A built, signed transaction and where each requested output ended up. */
export interface BuiltTransaction {
  readonly tx: Transaction;
  /** `outputIndexes[i]` is the position of `outputs[i]` after BIP69 ordering. */
  readonly outputIndexes: readonly number[];
}

/**
 * Builds a version 2 transaction spending P2WPKH `inputs` into `outputs`, every input signalling
 * BIP125 replaceability (nSequence 0xfffffffd, which also enables `locktime`), inputs and outputs
 * in BIP69 order (so the change position reveals nothing), and signs each input (BIP143,
 * SIGHASH_ALL, low-S DER).
 */
export function buildSignedTransaction(
  inputs: readonly SpendableInput[],
  outputs: readonly TxOutput[],
  locktime: number,
): BuiltTransaction {
  const tx = new Transaction();
  tx.version = 2;
  tx.locktime = locktime;
  const orderedInputs = [...inputs].sort(compareInputs);
  for (const input of orderedInputs) tx.addInput(input.outpoint.txid, input.outpoint.vout, SEQUENCE_RBF);
  const order = outputs.map((o, i) => ({ o, i })).sort((a, b) => compareOutputs(a.o, b.o));
  const outputIndexes = new Array<number>(outputs.length);
  order.forEach(({ o, i }, position) => {
    tx.addOutput(o.script, o.value);
    outputIndexes[i] = position;
  });
  orderedInputs.forEach((input, i) => {
    const scriptCode = p2wpkhScriptCode(input.key.publicKey);
    const digest = tx.hashForWitnessV0(i, scriptCode, input.value, Transaction.SIGHASH_ALL);
    const signature = secp256k1.sign(digest, input.key.privateKey);
    tx.setWitness(i, [bscript.signature.encode(signature, Transaction.SIGHASH_ALL), input.key.publicKey]);
  });
  return { tx, outputIndexes };
}

/** BIP69: previous txid in display (reversed) order, then output index. */
function compareInputs(a: SpendableInput, b: SpendableInput): number {
  const c = Buffer.compare(Buffer.from(a.outpoint.txid).reverse(), Buffer.from(b.outpoint.txid).reverse());
  return c !== 0 ? c : a.outpoint.vout - b.outpoint.vout;
}

/** BIP69: amount, then script bytes. */
function compareOutputs(a: TxOutput, b: TxOutput): number {
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return Buffer.compare(Buffer.from(a.script), Buffer.from(b.script));
}
