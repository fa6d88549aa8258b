import { sha256 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@shoal/crypto';
import { crypto as bcrypto, script as bscript, opcodes, payments, Transaction } from 'bitcoinjs-lib';

export interface Key {
  readonly priv: Uint8Array;
  readonly pub: Uint8Array;
}

/** A deterministic test key from a small seed number. */
export function key(seed: number): Key {
  const priv = new Uint8Array(32);
  priv[31] = seed;
  priv[0] = 0x11;
  return { priv, pub: new Uint8Array(secp256k1.publicKeyCreate(priv)) };
}

/** BIP143 signature of input `index`, DER + sighash byte, as it goes in a witness. */
export function signWitness(
  tx: Transaction,
  index: number,
  scriptCode: Uint8Array,
  value: bigint,
  k: Key,
  hashType: number = Transaction.SIGHASH_ALL,
): Uint8Array {
  const digest = tx.hashForWitnessV0(index, scriptCode, value, hashType);
  const sig = secp256k1.sign(digest, k.priv);
  return bscript.signature.encode(sig, hashType);
}

export function p2wsh(witnessScript: Uint8Array): Uint8Array {
  return payments.p2wsh({ redeem: { output: witnessScript } }).output!;
}

export function p2wpkh(pub: Uint8Array): Uint8Array {
  return payments.p2wpkh({ pubkey: pub }).output!;
}

/** scriptCode of a P2WPKH spend (BIP143). */
export function p2wpkhScriptCode(pub: Uint8Array): Uint8Array {
  return payments.p2pkh({ pubkey: pub }).output!;
}

const num = (n: number): Uint8Array => bscript.number.encode(n);
const small = (n: number): number => (n === 0 ? opcodes.OP_0! : opcodes.OP_1! + n - 1);

/** BOLT 3 funding output script: 2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG (keys sorted). */
export function fundingScript(a: Uint8Array, b: Uint8Array): Uint8Array {
  const [k1, k2] = Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0 ? [a, b] : [b, a];
  return bscript.compile([opcodes.OP_2!, k1, k2, opcodes.OP_2!, opcodes.OP_CHECKMULTISIG!]);
}

/** BOLT 3 to_local. */
export function toLocalScript(revocation: Uint8Array, delay: number, delayed: Uint8Array): Uint8Array {
  return bscript.compile([
    opcodes.OP_IF!,
    revocation,
    opcodes.OP_ELSE!,
    delay <= 16 ? small(delay) : num(delay),
    opcodes.OP_CHECKSEQUENCEVERIFY!,
    opcodes.OP_DROP!,
    delayed,
    opcodes.OP_ENDIF!,
    opcodes.OP_CHECKSIG!,
  ]);
}

/** BOLT 3 to_remote with option_anchors. */
export function toRemoteAnchorsScript(remote: Uint8Array): Uint8Array {
  return bscript.compile([
    remote,
    opcodes.OP_CHECKSIGVERIFY!,
    opcodes.OP_1!,
    opcodes.OP_CHECKSEQUENCEVERIFY!,
  ]);
}

/** BOLT 3 to_local_anchor / to_remote_anchor. */
export function anchorScript(funding: Uint8Array): Uint8Array {
  return bscript.compile([
    funding,
    opcodes.OP_CHECKSIG!,
    opcodes.OP_IFDUP!,
    opcodes.OP_NOTIF!,
    opcodes.OP_16!,
    opcodes.OP_CHECKSEQUENCEVERIFY!,
    opcodes.OP_ENDIF!,
  ]);
}

export function ripemdOfSha(data: Uint8Array): Uint8Array {
  return bcrypto.hash160(data);
}

/** BOLT 3 offered HTLC (option_anchors when `anchors`). */
export function offeredHtlcScript(
  revocation: Uint8Array,
  remoteHtlc: Uint8Array,
  localHtlc: Uint8Array,
  paymentHash: Uint8Array,
  anchors: boolean,
): Uint8Array {
  return bscript.compile([
    opcodes.OP_DUP!,
    opcodes.OP_HASH160!,
    bcrypto.hash160(revocation),
    opcodes.OP_EQUAL!,
    opcodes.OP_IF!,
    opcodes.OP_CHECKSIG!,
    opcodes.OP_ELSE!,
    remoteHtlc,
    opcodes.OP_SWAP!,
    opcodes.OP_SIZE!,
    num(32),
    opcodes.OP_EQUAL!,
    opcodes.OP_NOTIF!,
    opcodes.OP_DROP!,
    opcodes.OP_2!,
    opcodes.OP_SWAP!,
    localHtlc,
    opcodes.OP_2!,
    opcodes.OP_CHECKMULTISIG!,
    opcodes.OP_ELSE!,
    opcodes.OP_HASH160!,
    bcrypto.ripemd160(paymentHash),
    opcodes.OP_EQUALVERIFY!,
    opcodes.OP_CHECKSIG!,
    opcodes.OP_ENDIF!,
    ...(anchors ? [opcodes.OP_1!, opcodes.OP_CHECKSEQUENCEVERIFY!, opcodes.OP_DROP!] : []),
    opcodes.OP_ENDIF!,
  ]);
}

/** BOLT 3 received HTLC (option_anchors when `anchors`). */
export function receivedHtlcScript(
  revocation: Uint8Array,
  remoteHtlc: Uint8Array,
  localHtlc: Uint8Array,
  paymentHash: Uint8Array,
  cltvExpiry: number,
  anchors: boolean,
): Uint8Array {
  return bscript.compile([
    opcodes.OP_DUP!,
    opcodes.OP_HASH160!,
    bcrypto.hash160(revocation),
    opcodes.OP_EQUAL!,
    opcodes.OP_IF!,
    opcodes.OP_CHECKSIG!,
    opcodes.OP_ELSE!,
    remoteHtlc,
    opcodes.OP_SWAP!,
    opcodes.OP_SIZE!,
    num(32),
    opcodes.OP_EQUAL!,
    opcodes.OP_IF!,
    opcodes.OP_HASH160!,
    bcrypto.ripemd160(paymentHash),
    opcodes.OP_EQUALVERIFY!,
    opcodes.OP_2!,
    opcodes.OP_SWAP!,
    localHtlc,
    opcodes.OP_2!,
    opcodes.OP_CHECKMULTISIG!,
    opcodes.OP_ELSE!,
    opcodes.OP_DROP!,
    num(cltvExpiry),
    opcodes.OP_CHECKLOCKTIMEVERIFY!,
    opcodes.OP_DROP!,
    opcodes.OP_CHECKSIG!,
    opcodes.OP_ENDIF!,
    ...(anchors ? [opcodes.OP_1!, opcodes.OP_CHECKSEQUENCEVERIFY!, opcodes.OP_DROP!] : []),
    opcodes.OP_ENDIF!,
  ]);
}

/** A one-input one-output version-2 spend of `prevTxid:vout` (internal order). */
export function spendTx(
  prevTxid: Uint8Array,
  vout: number,
  outScript: Uint8Array,
  value: bigint,
  sequence = 0xfffffffd,
  locktime = 0,
): Transaction {
  const tx = new Transaction();
  tx.version = 2;
  tx.locktime = locktime;
  tx.addInput(prevTxid, vout, sequence);
  tx.addOutput(outScript, value);
  return tx;
}

export const EMPTY = new Uint8Array(0);
export { sha256 };
