/** BIP125: any nSequence below 0xfffffffe signals replaceability; this value also enables nLockTime. */
export const SEQUENCE_RBF = 0xfffffffd;

/** BIP44 purpose of native segwit P2WPKH accounts (BIP84). */
export const BIP84_PURPOSE = 84;

/** Addresses scanned past the last used one on each chain (BIP44 "Address gap limit"). */
export const DEFAULT_GAP_LIMIT = 20;

/** Blocks a spent coin is remembered for, so a reorg shallower than this can restore it. */
export const DEFAULT_MAX_REORG_DEPTH = 144;

/** Branch-and-bound gives up after this many tries and the largest-first fallback runs. */
export const BNB_MAX_TRIES = 100_000;

/**
 * BOLT 3 "Dust Limits": Bitcoin Core's thresholds at 3000 sat/kB, per output type, in satoshis.
 */
export const DUST_LIMIT = {
  p2pkh: 546n,
  p2sh: 540n,
  p2wpkh: 294n,
  p2wsh: 330n,
  unknownSegwit: 354n,
} as const;

/**
 * Weights in weight units (BIP141). A P2WPKH input: outpoint 36 + script length 1 + sequence 4 =
 * 41 bytes x 4, plus the witness: item count 1, signature 1 + 72 (DER, worst case with the
 * sighash byte), public key 1 + 33.
 */
export const WEIGHT = {
  /** version 4 + locktime 4 + input count 1 + output count 1, times 4, plus marker and flag. */
  txOverhead: 4 * 10 + 2,
  p2wpkhInput: 4 * 41 + 1 + 1 + 72 + 1 + 33,
  /** value 8 + script length 1, times 4; add 4 x the script length. */
  outputBase: 4 * 9,
} as const;

/** Satoshis in one bitcoin. */
export const SAT_PER_BTC = 100_000_000n;
