/** Error codes raised by `@shoal/gossip` (programming or protocol misuse, never a gossip verdict). */
export type GossipErrorCode =
  /** A query message breaks a BOLT 7 "Query Messages" rule (e.g. query flags count mismatch). */
  | 'GOSSIP_BAD_QUERY'
  /** A second query of the same kind arrived while one is still being answered (BOLT 7). */
  | 'GOSSIP_QUERY_IN_FLIGHT'
  /** A `reply_channel_range` does not fit the query it answers (BOLT 7 ordering/coverage rules). */
  | 'GOSSIP_BAD_REPLY'
  /** A delta or snapshot batch cannot be applied (e.g. an update for an unknown channel). */
  | 'GOSSIP_BAD_DELTA'
  /** The component was used before `start()` or after `stop()`. */
  | 'GOSSIP_NOT_STARTED'
  /** An option is out of range. */
  | 'GOSSIP_BAD_OPTION';

/** Metadata attached to a {@link GossipError}; plain JSON values so it can cross the mesh. */
export type GossipErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of a {@link GossipError}. */
export interface GossipErrorJSON {
  name: 'GossipError';
  code: GossipErrorCode;
  message: string;
  meta: GossipErrorMeta;
}

/** The one error class of this package. */
export class GossipError extends Error {
  override readonly name = 'GossipError';
  readonly code: GossipErrorCode;
  readonly meta: GossipErrorMeta;

  constructor(code: GossipErrorCode, message: string, meta: GossipErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): GossipErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: GossipErrorJSON): GossipError {
    return new GossipError(json.code, json.message, json.meta);
  }
}
