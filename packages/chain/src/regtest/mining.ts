import { Block, script as bscript, opcodes, Transaction } from 'bitcoinjs-lib';
import { bytesEqual, concatBytes } from '../bytes.js';
import { REGTEST_BITS, REGTEST_HALVING_INTERVAL } from '../constants.js';
import { ChainError } from '../errors.js';
import { hash256 } from '../script/hashes.js';

/** Block subsidy at `height` on regtest (50 BTC halving every 150 blocks). */
export function blockSubsidy(height: number): bigint {
  const halvings = Math.floor(height / REGTEST_HALVING_INTERVAL);
  return halvings >= 64 ? 0n : 5_000_000_000n >> BigInt(halvings);
}

/** Merkle root of 32-byte hashes (Bitcoin's, duplicating the last hash of an odd level). */
export function merkleRoot(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) throw new ChainError('CHAIN_INVALID_ARGUMENT', 'merkle root of nothing');
  let level = [...hashes];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(hash256(concatBytes(level[i]!, level[i + 1] ?? level[i]!)));
    level = next;
  }
  return level[0]!;
}

const WITNESS_COMMITMENT_HEADER = Uint8Array.of(0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed);
const WITNESS_RESERVED_VALUE = new Uint8Array(32);

/** Builds the coinbase: BIP34 height, the payout, and the BIP141 witness commitment. */
export function buildCoinbase(
  height: number,
  payout: bigint,
  script: Uint8Array,
  txs: readonly Transaction[],
): Transaction {
  const coinbase = new Transaction();
  coinbase.version = 2;
  coinbase.addInput(
    new Uint8Array(32),
    0xffffffff,
    0xffffffff,
    bscript.compile([bscript.number.encode(height), opcodes.OP_0!]),
  );
  coinbase.addOutput(script, payout);
  coinbase.setWitness(0, [WITNESS_RESERVED_VALUE]);
  // BIP141: the coinbase's wtxid counts as zero in the witness merkle tree.
  const witnessRoot = merkleRoot([new Uint8Array(32), ...txs.map((tx) => tx.getHash(true))]);
  const commitment = hash256(concatBytes(witnessRoot, WITNESS_RESERVED_VALUE));
  coinbase.addOutput(concatBytes(WITNESS_COMMITMENT_HEADER, commitment), 0n);
  return coinbase;
}

/** Assembles a block on `prevHash` and grinds the nonce to regtest's (trivial) proof of work. */
export function mineBlock(prevHash: Uint8Array, time: number, transactions: Transaction[]): Block {
  const block = new Block();
  block.version = 0x20000000;
  block.prevHash = prevHash;
  block.timestamp = time;
  block.bits = REGTEST_BITS;
  block.transactions = transactions;
  block.merkleRoot = Block.calculateMerkleRoot(transactions);
  for (let nonce = 0; nonce <= 0xffffffff; nonce++) {
    block.nonce = nonce;
    if (block.checkProofOfWork()) return block;
  }
  throw new ChainError('CHAIN_BLOCK_REJECTED', 'no nonce satisfies the proof of work');
}

/** The merkle root and, when any transaction has a witness, the BIP141 witness commitment are right. */
export function checkBlockRoots(block: Block): boolean {
  const txs = block.transactions ?? [];
  if (!block.merkleRoot || txs.length === 0) return false;
  if (!bytesEqual(Block.calculateMerkleRoot(txs), block.merkleRoot)) return false;
  if (!txs.some((tx) => tx.hasWitnesses())) return true;
  const coinbase = txs[0]!;
  const commitOut = [...coinbase.outs]
    .reverse()
    .find((o) => o.script.length >= 38 && bytesEqual(o.script.subarray(0, 6), WITNESS_COMMITMENT_HEADER));
  const reserved = coinbase.ins[0]?.witness[0];
  if (!commitOut || !reserved || reserved.length !== 32) return false;
  const witnessRoot = merkleRoot([new Uint8Array(32), ...txs.slice(1).map((tx) => tx.getHash(true))]);
  return bytesEqual(hash256(concatBytes(witnessRoot, reserved)), commitOut.script.subarray(6, 38));
}
