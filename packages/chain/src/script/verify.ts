import { script as bscript, type Transaction } from 'bitcoinjs-lib';
import { bytesEqual, concatBytes } from '../bytes.js';
import {
  LOCKTIME_THRESHOLD,
  SEQUENCE_FINAL,
  SEQUENCE_LOCKTIME_DISABLE_FLAG,
  SEQUENCE_LOCKTIME_MASK,
  SEQUENCE_LOCKTIME_TYPE_FLAG,
} from '../constants.js';
import { scriptError } from '../errors.js';
import { sha256, verifyDigest } from './hashes.js';
import { evalScript, type ScriptChecker, type SigVersion } from './interpreter.js';
import { OP } from './opcodes.js';
import { isPushOnly, MAX_ELEMENT_SIZE } from './parse.js';
import { castToBool } from './script-num.js';

/** The output an input spends: what its script and amount were. */
export interface SpentOutput {
  readonly script: Uint8Array;
  readonly value: bigint;
}

const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * Verifies input `index` of `tx` against the output it spends: native P2WPKH and P2WSH (BIP141,
 * signatures per BIP143) and legacy P2PKH. Throws `CHAIN_SCRIPT_FAILED` with `meta.reason`.
 */
export function verifyInput(tx: Transaction, index: number, spent: SpentOutput): void {
  const input = tx.ins[index];
  if (!input) throw scriptError('INVALID_STACK_OPERATION', `no input ${index}`);
  const spk = spent.script;
  const witness = input.witness;
  if (spk.length >= 4 && spk.length <= 42 && spk[0] === OP.OP_0 && spk[1] === spk.length - 2) {
    if (input.script.length !== 0) throw scriptError('WITNESS_MALLEATED');
    const program = spk.subarray(2);
    if (program.length === 20) verifyP2wpkh(tx, index, spent, program, witness);
    else if (program.length === 32) verifyP2wsh(tx, index, spent, program, witness);
    else throw scriptError('WITNESS_PROGRAM_WRONG_LENGTH');
    return;
  }
  if (isP2pkh(spk)) {
    if (witness.length > 0) throw scriptError('WITNESS_UNEXPECTED');
    if (!isPushOnly(input.script)) throw scriptError('SIG_PUSHONLY');
    const stack: Uint8Array[] = [];
    const checker = new TransactionChecker(tx, index, spent.value, 'base');
    evalScript(input.script, stack, checker, 'base');
    evalScript(spk, stack, checker, 'base');
    if (stack.length === 0 || !castToBool(stack[stack.length - 1]!)) throw scriptError('EVAL_FALSE');
    if (stack.length !== 1) throw scriptError('CLEANSTACK');
    return;
  }
  throw scriptError('UNSUPPORTED_OUTPUT', 'only P2WPKH, P2WSH and P2PKH outputs can be spent here');
}

/** Verifies every input; `spent[i]` is the output input `i` spends. */
export function verifyTransactionScripts(tx: Transaction, spent: readonly SpentOutput[]): void {
  tx.ins.forEach((_, i) => {
    verifyInput(tx, i, spent[i]!);
  });
}

function isP2pkh(spk: Uint8Array): boolean {
  return (
    spk.length === 25 &&
    spk[0] === OP.OP_DUP &&
    spk[1] === OP.OP_HASH160 &&
    spk[2] === 20 &&
    spk[23] === OP.OP_EQUALVERIFY &&
    spk[24] === OP.OP_CHECKSIG
  );
}

function verifyP2wpkh(
  tx: Transaction,
  index: number,
  spent: SpentOutput,
  program: Uint8Array,
  witness: Uint8Array[],
): void {
  if (witness.length !== 2) throw scriptError('WITNESS_PROGRAM_MISMATCH', 'P2WPKH needs <sig> <pubkey>');
  const scriptCode = concatBytes(
    Uint8Array.of(OP.OP_DUP, OP.OP_HASH160, 20),
    program,
    Uint8Array.of(OP.OP_EQUALVERIFY, OP.OP_CHECKSIG),
  );
  runWitness(tx, index, spent, scriptCode, witness.slice());
}

function verifyP2wsh(
  tx: Transaction,
  index: number,
  spent: SpentOutput,
  program: Uint8Array,
  witness: Uint8Array[],
): void {
  if (witness.length === 0) throw scriptError('WITNESS_PROGRAM_WITNESS_EMPTY');
  const witnessScript = witness[witness.length - 1]!;
  if (!bytesEqual(sha256(witnessScript), program)) throw scriptError('WITNESS_PROGRAM_MISMATCH');
  runWitness(tx, index, spent, witnessScript, witness.slice(0, -1));
}

function runWitness(
  tx: Transaction,
  index: number,
  spent: SpentOutput,
  script: Uint8Array,
  stack: Uint8Array[],
): void {
  if (stack.some((item) => item.length > MAX_ELEMENT_SIZE)) throw scriptError('PUSH_SIZE');
  evalScript(script, stack, new TransactionChecker(tx, index, spent.value, 'witness_v0'), 'witness_v0');
  // BIP141: the witness script must leave exactly one true element.
  if (stack.length !== 1) throw scriptError('CLEANSTACK');
  if (!castToBool(stack[0]!)) throw scriptError('EVAL_FALSE');
}

/** Signature, CLTV and CSV checks against a spending transaction (Core's TransactionSignatureChecker). */
export class TransactionChecker implements ScriptChecker {
  constructor(
    private readonly tx: Transaction,
    private readonly index: number,
    private readonly value: bigint,
    private readonly sigVersion: SigVersion,
  ) {}

  checkSignature(signature: Uint8Array, publicKey: Uint8Array, scriptCode: Uint8Array): boolean {
    const hashType = signature[signature.length - 1]!;
    if (![1, 2, 3].includes(hashType & ~0x80)) throw scriptError('SIG_HASHTYPE');
    if (!bscript.isCanonicalScriptSignature(signature)) throw scriptError('SIG_DER');
    const decoded = bscript.signature.decode(signature);
    const s = BigInt(`0x${Buffer.from(decoded.signature.subarray(32)).toString('hex')}`);
    if (s > HALF_ORDER) throw scriptError('SIG_HIGH_S');
    const digest =
      this.sigVersion === 'witness_v0'
        ? this.tx.hashForWitnessV0(this.index, scriptCode, this.value, hashType)
        : this.tx.hashForSignature(this.index, scriptCode, hashType);
    return verifyDigest(decoded.signature, digest, publicKey);
  }

  checkLockTime(lockTime: number): boolean {
    const txLockTime = this.tx.locktime;
    const sameKind = txLockTime < LOCKTIME_THRESHOLD === lockTime < LOCKTIME_THRESHOLD;
    if (!sameKind || lockTime > txLockTime) return false;
    // A final input would make nLockTime ineffective, so CLTV demands a non-final one.
    return this.tx.ins[this.index]!.sequence !== SEQUENCE_FINAL;
  }

  checkSequence(sequence: number): boolean {
    if (this.tx.version < 2) return false;
    const txSequence = this.tx.ins[this.index]!.sequence;
    if ((txSequence & SEQUENCE_LOCKTIME_DISABLE_FLAG) !== 0) return false;
    const mask = SEQUENCE_LOCKTIME_TYPE_FLAG | SEQUENCE_LOCKTIME_MASK;
    const txMasked = txSequence & mask;
    const masked = sequence & mask;
    const sameKind = txMasked < SEQUENCE_LOCKTIME_TYPE_FLAG === masked < SEQUENCE_LOCKTIME_TYPE_FLAG;
    return sameKind && masked <= txMasked;
  }
}
