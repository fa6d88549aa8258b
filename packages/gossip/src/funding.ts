import { sha256 } from '@shoal/crypto';

const OP_0 = 0x00;
const OP_2 = 0x52;
const OP_CHECKMULTISIG = 0xae;
const PUSH_33 = 0x21;
const PUSH_32 = 0x20;

function compare(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * BOLT 3 "Funding Transaction Output": `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG` with `pubkey1`
 * the lexicographically lesser compressed key.
 */
export function fundingWitnessScript(key1: Uint8Array, key2: Uint8Array): Uint8Array {
  const [a, b] = compare(key1, key2) <= 0 ? [key1, key2] : [key2, key1];
  const s = new Uint8Array(71);
  s[0] = OP_2;
  s[1] = PUSH_33;
  s.set(a, 2);
  s[35] = PUSH_33;
  s.set(b, 36);
  s[69] = OP_2;
  s[70] = OP_CHECKMULTISIG;
  return s;
}

/** The P2WSH scriptPubKey (`OP_0 <sha256(witnessScript)>`) of the 2-of-2 funding output (BOLT 3). */
export function fundingScriptPubKey(key1: Uint8Array, key2: Uint8Array): Uint8Array {
  const out = new Uint8Array(34);
  out[0] = OP_0;
  out[1] = PUSH_32;
  out.set(sha256(fundingWitnessScript(key1, key2)), 2);
  return out;
}

/** True when `a` sorts strictly before `b` as compressed keys (BOLT 7 `node_id_1` < `node_id_2`). */
export function keyLess(a: Uint8Array, b: Uint8Array): boolean {
  return compare(a, b) < 0;
}
