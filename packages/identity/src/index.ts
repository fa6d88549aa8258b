export {
  type AtomicWriteSteps,
  defaultAtomicWriteSteps,
  writeFileExclusiveAtomic,
} from './atomic-write.js';
export { HARDENED, NODE_SEED_FILE, NODE_SEED_LENGTH, NODE_SEED_MODE } from './constants.js';
export {
  type BitcoinChain,
  coinType,
  DerivedKey,
  deriveNodeKey,
  KeyRing,
  nodeKeyPath,
  parseKeyPath,
  walletKeyPath,
} from './derivation.js';
export {
  IdentityError,
  type IdentityErrorCode,
  type IdentityErrorJSON,
  type IdentityErrorMeta,
} from './errors.js';
export {
  assertNodeKeyMatches,
  type ExpectedPubKey,
  type KeyProviderName,
  type LoadNodeKeyOptions,
  loadNodeKey,
} from './load.js';
export { NodeKey, type NodeKeyJSON, parsePrivateKeyHex, parsePublicKeyHex } from './node-key.js';
export { type AwsCredentials, type AwsSmKeyOptions, loadAwsSmKey } from './providers/aws-sm.js';
export { type EnvKeyOptions, loadEnvKey, loadSeedKey, type SeedKeyOptions } from './providers/local.js';
export { privateKeyFromSecret, SECRET_JSON_FIELD } from './providers/secret-format.js';
export { type EnsureNodeSeedOptions, ensureNodeSeed, nodeSeedPath, readNodeSeed } from './seed.js';
