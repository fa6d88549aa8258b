/** Error codes raised by `@shoal/identity`. */
export type IdentityErrorCode =
  /** The derived or provided key's public key differs from the expected `NODE_PUB_KEY`. */
  | 'IDENTITY_KEY_MISMATCH'
  /** No seed file where one must already exist (a frontend never creates one). */
  | 'IDENTITY_SEED_MISSING'
  /** The seed file has the wrong size or is not a regular file. */
  | 'IDENTITY_SEED_CORRUPT'
  /** The seed file is readable or writable by group or others. */
  | 'IDENTITY_SEED_INSECURE'
  /** Reading or writing the seed file failed at the file-system level. */
  | 'IDENTITY_SEED_IO'
  /** A private or public key is malformed (wrong length, not hex, not on the curve). */
  | 'IDENTITY_BAD_KEY'
  /** A derivation path or index is malformed. */
  | 'IDENTITY_BAD_PATH'
  /** Options do not make sense (unknown provider, missing expected key...). */
  | 'IDENTITY_BAD_OPTIONS'
  /** The secret store has no secret under that id. */
  | 'IDENTITY_SECRET_NOT_FOUND'
  /** The secret store refused the request (credentials, policy, KMS key). */
  | 'IDENTITY_SECRET_ACCESS_DENIED'
  /** The secret store could not be reached (connection refused, DNS, timeout). */
  | 'IDENTITY_PROVIDER_UNREACHABLE'
  /** Any other provider failure. */
  | 'IDENTITY_PROVIDER_FAILED';

/**
 * Metadata attached to an {@link IdentityError}; plain JSON values only so it can cross the mesh.
 * Never put private key material here: public keys, paths, ids and codes only.
 */
export type IdentityErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of an {@link IdentityError}. */
export interface IdentityErrorJSON {
  name: 'IdentityError';
  code: IdentityErrorCode;
  message: string;
  meta: IdentityErrorMeta;
}

/** The one error class of this package. Messages never contain private keys or seeds. */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  readonly code: IdentityErrorCode;
  readonly meta: IdentityErrorMeta;

  constructor(
    code: IdentityErrorCode,
    message: string,
    meta: IdentityErrorMeta = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): IdentityErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: IdentityErrorJSON): IdentityError {
    return new IdentityError(json.code, json.message, json.meta);
  }
}
