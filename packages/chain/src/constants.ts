import type { BitcoinNetwork } from './types.js';

/**
 * Bitcoin Core's regtest genesis block, serialised (BOLT 3 Appendix B, "Block 0"). Its hash,
 * 0f9188f1...466e2206 in display order, is regtest's BOLT 0 `chain_hash`.
 */
export const REGTEST_GENESIS_BLOCK_HEX =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f20020000000101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000';

/** Genesis block hashes in display order (RPC order), per network. */
export const GENESIS_HASH_DISPLAY: Readonly<Record<BitcoinNetwork, string>> = {
  mainnet: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  testnet: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
  testnet4: '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
  signet: '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6',
  regtest: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
};

/** `getblockchaininfo.chain` as Bitcoin Core names each network. */
export const CORE_CHAIN_NAME: Readonly<Record<BitcoinNetwork, string>> = {
  mainnet: 'main',
  testnet: 'test',
  testnet4: 'testnet4',
  signet: 'signet',
  regtest: 'regtest',
};

/** Coinbase outputs are spendable after this many confirmations (consensus). */
export const COINBASE_MATURITY = 100;
/** Regtest halves the subsidy every 150 blocks. */
export const REGTEST_HALVING_INTERVAL = 150;
/** Regtest's proof-of-work limit, compact form. */
export const REGTEST_BITS = 0x207fffff;
/** BOLT 3 / Lightning floor for `feerate_per_kw` (1 sat/vB rounded to what relays). */
export const FEERATE_PER_KW_FLOOR = 253n;
export const MAX_MONEY = 21_000_000n * 100_000_000n;

/** BIP68/BIP112 sequence fields. */
export const SEQUENCE_FINAL = 0xffffffff;
export const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
export const SEQUENCE_LOCKTIME_TYPE_FLAG = 0x00400000;
export const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
/** BIP65: below this `nLockTime` is a height, at or above a time. */
export const LOCKTIME_THRESHOLD = 500_000_000;
