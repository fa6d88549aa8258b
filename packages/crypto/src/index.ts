export { chachaNonce, decryptWithAD, encryptWithAD, encryptWithADInto } from './aead.js';
export { signatureFromDer, signatureToDer } from './der.js';
export { CryptoError, type CryptoErrorCode, type CryptoErrorJSON, type CryptoErrorMeta } from './errors.js';
export { hash256, hkdf, hmacSha256, sha256 } from './hash.js';
export {
  type CryptoLogger,
  nativeSecp256k1,
  nobleSecp256k1,
  randomPrivateKey,
  type SelectSecp256k1Options,
  secp256k1,
  secp256k1Backend,
  selectSecp256k1,
} from './secp256k1.js';
export type { Secp256k1, Secp256k1Backend } from './secp256k1-types.js';
