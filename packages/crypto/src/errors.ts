/** Error codes raised by `@shoal/crypto`. */
export type CryptoErrorCode =
  | 'CRYPTO_BAD_MAC'
  | 'CRYPTO_BAD_LENGTH'
  | 'CRYPTO_BAD_PRIVATE_KEY'
  | 'CRYPTO_BAD_PUBLIC_KEY'
  | 'CRYPTO_BAD_SIGNATURE'
  | 'CRYPTO_BAD_DER';

/** Metadata attached to a {@link CryptoError}; plain JSON values only so it can cross the mesh. */
export type CryptoErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of a {@link CryptoError}. */
export interface CryptoErrorJSON {
  name: 'CryptoError';
  code: CryptoErrorCode;
  message: string;
  meta: CryptoErrorMeta;
}

/** The one error class of this package. */
export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  readonly code: CryptoErrorCode;
  readonly meta: CryptoErrorMeta;

  constructor(code: CryptoErrorCode, message: string, meta: CryptoErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): CryptoErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: CryptoErrorJSON): CryptoError {
    return new CryptoError(json.code, json.message, json.meta);
  }
}
