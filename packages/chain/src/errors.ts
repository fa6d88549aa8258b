/** Machine-readable codes of {@link ChainError}. */
export type ChainErrorCode =
  | 'CHAIN_UNAUTHORIZED'
  | 'CHAIN_WRONG_NETWORK'
  | 'CHAIN_PRUNED'
  | 'CHAIN_UNREACHABLE'
  | 'CHAIN_RPC_ERROR'
  | 'CHAIN_BAD_RESPONSE'
  | 'CHAIN_TX_REJECTED'
  | 'CHAIN_SCRIPT_FAILED'
  | 'CHAIN_BLOCK_REJECTED'
  | 'CHAIN_NOT_FOUND'
  | 'CHAIN_FEE_UNAVAILABLE'
  | 'CHAIN_CORRUPT_DATA'
  | 'CHAIN_INVALID_ARGUMENT'
  | 'CHAIN_NOT_STARTED';

/** Metadata carried by a {@link ChainError}: only JSON-safe values so it can cross the mesh. */
export type ChainErrorMeta = Readonly<Record<string, string | number | boolean | null>>;

/** Serialised form of a {@link ChainError}. */
export interface ChainErrorJson {
  name: 'ChainError';
  code: ChainErrorCode;
  message: string;
  meta: ChainErrorMeta;
}

/** The one error class of `@shoal/chain`. */
export class ChainError extends Error {
  override readonly name = 'ChainError';
  readonly code: ChainErrorCode;
  readonly meta: ChainErrorMeta;

  constructor(
    code: ChainErrorCode,
    message: string,
    meta: ChainErrorMeta = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): ChainErrorJson {
    return { name: 'ChainError', code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: ChainErrorJson): ChainError {
    return new ChainError(json.code, json.message, json.meta);
  }
}

/** Script failure reasons, named after Bitcoin Core's `ScriptError` values. */
export type ScriptFailure =
  | 'EVAL_FALSE'
  | 'OP_RETURN'
  | 'SCRIPT_SIZE'
  | 'PUSH_SIZE'
  | 'OP_COUNT'
  | 'STACK_SIZE'
  | 'SIG_COUNT'
  | 'PUBKEY_COUNT'
  | 'VERIFY'
  | 'EQUALVERIFY'
  | 'CHECKSIGVERIFY'
  | 'CHECKMULTISIGVERIFY'
  | 'BAD_OPCODE'
  | 'UNSUPPORTED_OPCODE'
  | 'INVALID_STACK_OPERATION'
  | 'UNBALANCED_CONDITIONAL'
  | 'NEGATIVE_LOCKTIME'
  | 'UNSATISFIED_LOCKTIME'
  | 'SIG_HASHTYPE'
  | 'SIG_DER'
  | 'MINIMALDATA'
  | 'SIG_HIGH_S'
  | 'SIG_NULLDUMMY'
  | 'PUBKEYTYPE'
  | 'CLEANSTACK'
  | 'MINIMALIF'
  | 'NULLFAIL'
  | 'WITNESS_PROGRAM_WRONG_LENGTH'
  | 'WITNESS_PROGRAM_WITNESS_EMPTY'
  | 'WITNESS_PROGRAM_MISMATCH'
  | 'WITNESS_MALLEATED'
  | 'WITNESS_UNEXPECTED'
  | 'WITNESS_PUBKEYTYPE'
  | 'SIG_PUSHONLY'
  | 'UNKNOWN_NUMBER'
  | 'UNSUPPORTED_OUTPUT';

/** A script that does not verify: `CHAIN_SCRIPT_FAILED` with `meta.reason`. */
export function scriptError(reason: ScriptFailure, detail?: string): ChainError {
  return new ChainError('CHAIN_SCRIPT_FAILED', `script failed: ${reason}${detail ? ` (${detail})` : ''}`, {
    reason,
  });
}
