/** Machine-readable codes of {@link WalletError}. */
export type WalletErrorCode =
  | 'WALLET_INSUFFICIENT_FUNDS'
  | 'WALLET_BAD_ADDRESS'
  | 'WALLET_DUST'
  | 'WALLET_INVALID_ARGUMENT'
  | 'WALLET_NOT_STARTED'
  | 'WALLET_UNKNOWN_TRANSACTION'
  | 'WALLET_NOT_REPLACEABLE'
  | 'WALLET_FEE_TOO_LOW'
  | 'WALLET_PERSISTENCE';

/** Metadata of a {@link WalletError}: JSON-safe values only, so the error can cross the mesh. */
export type WalletErrorMeta = Readonly<Record<string, string | number | boolean | null>>;

/** Serialised form of a {@link WalletError}. */
export interface WalletErrorJson {
  name: 'WalletError';
  code: WalletErrorCode;
  message: string;
  meta: WalletErrorMeta;
}

/** The one error class of `@shoal/wallet`. Amounts in `meta` are decimal strings of satoshis. */
export class WalletError extends Error {
  override readonly name = 'WalletError';
  readonly code: WalletErrorCode;
  readonly meta: WalletErrorMeta;

  constructor(
    code: WalletErrorCode,
    message: string,
    meta: WalletErrorMeta = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): WalletErrorJson {
    return { name: 'WalletError', code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: WalletErrorJson): WalletError {
    return new WalletError(json.code, json.message, json.meta);
  }
}
