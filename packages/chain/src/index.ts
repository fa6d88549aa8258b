export { BitcoindChain, type BitcoindChainOptions, btcToSat } from './bitcoind/bitcoind-chain.js';
export {
  BitcoindRpcClient,
  mapRpcError,
  RPC_CODES,
  type RpcCall,
  type RpcClientOptions,
} from './bitcoind/rpc-client.js';
export { bytesEqual, fromHex, hashFromDisplay, hashToDisplay, toHex } from './bytes.js';
export {
  COINBASE_MATURITY,
  CORE_CHAIN_NAME,
  FEERATE_PER_KW_FLOOR,
  GENESIS_HASH_DISPLAY,
} from './constants.js';
export {
  ChainError,
  type ChainErrorCode,
  type ChainErrorJson,
  type ChainErrorMeta,
  type ScriptFailure,
} from './errors.js';
export { ANYONE_CAN_SPEND_SCRIPT, RegtestChain, type RegtestChainOptions } from './regtest/regtest-chain.js';
export { RegtestRpcServer, type RegtestRpcServerOptions } from './rpc-server/server.js';
export { evalScript, type ScriptChecker, type SigVersion } from './script/interpreter.js';
export {
  type SpentOutput,
  TransactionChecker,
  verifyInput,
  verifyTransactionScripts,
} from './script/verify.js';
export type {
  BitcoinNetwork,
  ChainBlock,
  ChainEventName,
  ChainEvents,
  ChainListener,
  ChainSource,
  ChainTip,
  ChainTransaction,
  FeeEstimate,
  Logger,
  OutPoint,
  ScidOutput,
  ShortChannelId,
  Utxo,
  WatchOptions,
} from './types.js';
export { ChainWatcher, type ChainWatcherOptions, type WatcherSource } from './watcher.js';
