export {
  addressToScript,
  bitcoinjsNetwork,
  dustLimit,
  p2wpkhAddress,
  p2wpkhScript,
  scriptToAddress,
} from './address.js';
export { type ApiHandler, type ApiParams, walletApi } from './api.js';
export {
  type Candidate,
  feeForWeight,
  type Selection,
  type SelectionTarget,
  selectCoins,
} from './coin-selection.js';
export {
  BIP84_PURPOSE,
  DEFAULT_GAP_LIMIT,
  DEFAULT_MAX_REORG_DEPTH,
  DUST_LIMIT,
  SEQUENCE_RBF,
  WEIGHT,
} from './constants.js';
export { WalletError, type WalletErrorCode, type WalletErrorJson, type WalletErrorMeta } from './errors.js';
export { Bip84WalletKeys, type KeyChain, type WalletKey, type WalletKeys } from './keys.js';
export {
  JsonFileWalletPersistence,
  MemoryWalletPersistence,
  type WalletPersistence,
  type WalletState,
} from './persistence.js';
export { fundOnRegtest, type RegtestMiner } from './regtest-funding.js';
export { fundingScripts } from './spender.js';
export type {
  FeeChoice,
  FundingTransaction,
  KeyPath,
  Logger,
  OnChainBalance,
  SignedTransaction,
  WalletNetwork,
  WalletUtxo,
} from './types.js';
export {
  type FundingRequest,
  Wallet,
  type WalletDeps,
  type WalletEvents,
  type WalletOptions,
} from './wallet.js';
