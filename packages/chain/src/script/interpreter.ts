import { bytesEqual } from '../bytes.js';
import { scriptError } from '../errors.js';
import { hash160, hash256, ripemd160, sha256 } from './hashes.js';
import { OP } from './opcodes.js';
import { MAX_ELEMENT_SIZE, parseScript } from './parse.js';
import { castToBool, decodeScriptNum, encodeScriptNum } from './script-num.js';

/** Legacy (`base`) or BIP143 segwit v0 evaluation: v0 adds MINIMALIF and compressed-key rules. */
export type SigVersion = 'base' | 'witness_v0';

/** What a script needs from the spending transaction. */
export interface ScriptChecker {
  /** Signature with its trailing sighash byte; false when it does not verify (encoding errors throw). */
  checkSignature(signature: Uint8Array, publicKey: Uint8Array, scriptCode: Uint8Array): boolean;
  /** BIP65: whether the spending transaction satisfies `lockTime`. */
  checkLockTime(lockTime: number): boolean;
  /** BIP112: whether the spending input satisfies relative lock `sequence`. */
  checkSequence(sequence: number): boolean;
}

const MAX_OPS = 201;
const MAX_STACK = 1000;
const MAX_PUBKEYS = 20;
const TRUE = Uint8Array.of(1);
const FALSE = new Uint8Array(0);

/**
 * Runs `script` on `stack` (mutated in place). Supports the opcodes BOLT 3's scripts use
 * (funding 2-of-2, to_local, to_remote, anchors, offered/received HTLCs, HTLC outputs) plus a few
 * plain stack ops; anything else fails with UNSUPPORTED_OPCODE. Applies Bitcoin Core's standard
 * policy flags: MINIMALDATA, MINIMALIF (v0), NULLFAIL, NULLDUMMY, LOW_S, STRICTENC, CLTV, CSV.
 */
export function evalScript(
  script: Uint8Array,
  stack: Uint8Array[],
  checker: ScriptChecker,
  sigVersion: SigVersion,
): void {
  const chunks = parseScript(script);
  const exec: boolean[] = [];
  let ops = 0;
  const pop = (): Uint8Array => {
    const top = stack.pop();
    if (top === undefined) throw scriptError('INVALID_STACK_OPERATION');
    return top;
  };
  const top = (depth = 1): Uint8Array => {
    const item = stack[stack.length - depth];
    if (item === undefined) throw scriptError('INVALID_STACK_OPERATION');
    return item;
  };
  for (const chunk of chunks) {
    const executing = !exec.includes(false);
    if (chunk.kind === 'push') {
      if (chunk.data.length > MAX_ELEMENT_SIZE) throw scriptError('PUSH_SIZE');
      if (executing) stack.push(chunk.data);
      continue;
    }
    const op = chunk.opcode;
    if (op > OP.OP_16 && ++ops > MAX_OPS) throw scriptError('OP_COUNT');
    if (op === OP.OP_IF || op === OP.OP_NOTIF) {
      let value = false;
      if (executing) {
        const arg = pop();
        if (sigVersion === 'witness_v0' && (arg.length > 1 || (arg.length === 1 && arg[0] !== 1))) {
          throw scriptError('MINIMALIF');
        }
        value = castToBool(arg) === (op === OP.OP_IF);
      }
      exec.push(value);
      continue;
    }
    if (op === OP.OP_ELSE || op === OP.OP_ENDIF) {
      if (exec.length === 0) throw scriptError('UNBALANCED_CONDITIONAL');
      if (op === OP.OP_ELSE) exec.push(!exec.pop()!);
      else exec.pop();
      continue;
    }
    if (!executing) {
      if (!KNOWN.has(op)) throw scriptError('UNSUPPORTED_OPCODE', `0x${op.toString(16)}`);
      continue;
    }
    switch (op) {
      case OP.OP_1NEGATE:
        stack.push(encodeScriptNum(-1));
        break;
      case OP.OP_NOP:
        break;
      case OP.OP_VERIFY:
        if (!castToBool(pop())) throw scriptError('VERIFY');
        break;
      case OP.OP_RETURN:
        throw scriptError('OP_RETURN');
      case OP.OP_IFDUP:
        if (castToBool(top())) stack.push(top());
        break;
      case OP.OP_DEPTH:
        stack.push(encodeScriptNum(stack.length));
        break;
      case OP.OP_DROP:
        pop();
        break;
      case OP.OP_DUP:
        stack.push(top());
        break;
      case OP.OP_NIP: {
        const a = pop();
        pop();
        stack.push(a);
        break;
      }
      case OP.OP_OVER:
        stack.push(top(2));
        break;
      case OP.OP_SWAP: {
        const a = pop();
        const b = pop();
        stack.push(a, b);
        break;
      }
      case OP.OP_SIZE:
        stack.push(encodeScriptNum(top().length));
        break;
      case OP.OP_EQUAL:
      case OP.OP_EQUALVERIFY: {
        const equal = bytesEqual(pop(), pop());
        if (op === OP.OP_EQUALVERIFY) {
          if (!equal) throw scriptError('EQUALVERIFY');
        } else stack.push(equal ? TRUE : FALSE);
        break;
      }
      case OP.OP_RIPEMD160:
        stack.push(ripemd160(pop()));
        break;
      case OP.OP_SHA256:
        stack.push(sha256(pop()));
        break;
      case OP.OP_HASH160:
        stack.push(hash160(pop()));
        break;
      case OP.OP_HASH256:
        stack.push(hash256(pop()));
        break;
      case OP.OP_CHECKSIG:
      case OP.OP_CHECKSIGVERIFY: {
        const publicKey = pop();
        const signature = pop();
        const ok = checkSig(checker, signature, publicKey, script, sigVersion);
        if (op === OP.OP_CHECKSIGVERIFY) {
          if (!ok) throw scriptError('CHECKSIGVERIFY');
        } else stack.push(ok ? TRUE : FALSE);
        break;
      }
      case OP.OP_CHECKMULTISIG:
      case OP.OP_CHECKMULTISIGVERIFY: {
        const result = checkMultisig(stack, checker, script, sigVersion);
        ops += result.keys;
        if (ops > MAX_OPS) throw scriptError('OP_COUNT');
        if (op === OP.OP_CHECKMULTISIGVERIFY) {
          if (!result.ok) throw scriptError('CHECKMULTISIGVERIFY');
        } else stack.push(result.ok ? TRUE : FALSE);
        break;
      }
      case OP.OP_CHECKLOCKTIMEVERIFY: {
        const lockTime = decodeScriptNum(top(), 5);
        if (lockTime < 0) throw scriptError('NEGATIVE_LOCKTIME');
        if (!checker.checkLockTime(lockTime)) throw scriptError('UNSATISFIED_LOCKTIME', 'CLTV');
        break;
      }
      case OP.OP_CHECKSEQUENCEVERIFY: {
        const sequence = decodeScriptNum(top(), 5);
        if (sequence < 0) throw scriptError('NEGATIVE_LOCKTIME');
        // BIP112: with the disable flag set in the operand the opcode is a NOP.
        if (sequence >= 2 ** 31 && Math.floor(sequence / 2 ** 31) % 2 === 1) break;
        if (!checker.checkSequence(sequence)) throw scriptError('UNSATISFIED_LOCKTIME', 'CSV');
        break;
      }
      default:
        if (op >= OP.OP_1 && op <= OP.OP_16) stack.push(encodeScriptNum(op - OP.OP_1 + 1));
        else throw scriptError('UNSUPPORTED_OPCODE', `0x${op.toString(16)}`);
    }
    if (stack.length > MAX_STACK) throw scriptError('STACK_SIZE');
  }
  if (exec.length > 0) throw scriptError('UNBALANCED_CONDITIONAL');
}

const KNOWN = new Set<number>([...Object.values(OP), ...Array.from({ length: 16 }, (_, i) => OP.OP_1 + i)]);

function checkPubkeyType(publicKey: Uint8Array, sigVersion: SigVersion): void {
  const compressed = publicKey.length === 33 && (publicKey[0] === 2 || publicKey[0] === 3);
  const uncompressed = publicKey.length === 65 && publicKey[0] === 4;
  if (sigVersion === 'witness_v0' && !compressed) throw scriptError('WITNESS_PUBKEYTYPE');
  if (!compressed && !uncompressed) throw scriptError('PUBKEYTYPE');
}

function checkSig(
  checker: ScriptChecker,
  signature: Uint8Array,
  publicKey: Uint8Array,
  scriptCode: Uint8Array,
  sigVersion: SigVersion,
): boolean {
  checkPubkeyType(publicKey, sigVersion);
  if (signature.length === 0) return false;
  const ok = checker.checkSignature(signature, publicKey, scriptCode);
  if (!ok) throw scriptError('NULLFAIL');
  return true;
}

function checkMultisig(
  stack: Uint8Array[],
  checker: ScriptChecker,
  scriptCode: Uint8Array,
  sigVersion: SigVersion,
): { ok: boolean; keys: number } {
  const popNum = (): number => {
    const item = stack.pop();
    if (item === undefined) throw scriptError('INVALID_STACK_OPERATION');
    return decodeScriptNum(item);
  };
  const popItem = (): Uint8Array => {
    const item = stack.pop();
    if (item === undefined) throw scriptError('INVALID_STACK_OPERATION');
    return item;
  };
  const keyCount = popNum();
  if (keyCount < 0 || keyCount > MAX_PUBKEYS) throw scriptError('PUBKEY_COUNT');
  // Keys and signatures were pushed in order, so the first key is deepest.
  const keys = Array.from({ length: keyCount }, popItem).reverse();
  const sigCount = popNum();
  if (sigCount < 0 || sigCount > keyCount) throw scriptError('SIG_COUNT');
  const sigs = Array.from({ length: sigCount }, popItem).reverse();
  // The extra element consumed by Satoshi's off-by-one must be empty (NULLDUMMY).
  if (popItem().length !== 0) throw scriptError('SIG_NULLDUMMY');
  let ok = true;
  let k = 0;
  for (let s = 0; s < sigs.length && ok; s++) {
    let matched = false;
    while (!matched && keys.length - k >= sigs.length - s) {
      const key = keys[k++]!;
      checkPubkeyType(key, sigVersion);
      matched = sigs[s]!.length > 0 && checker.checkSignature(sigs[s]!, key, scriptCode);
    }
    ok = matched;
  }
  if (!ok && sigs.some((sig) => sig.length > 0)) throw scriptError('NULLFAIL');
  return { ok, keys: keyCount };
}
