/** Error codes raised by `@shoal/cluster`. */
export type ClusterErrorCode =
  /** The cluster certificate file does not exist. */
  | 'CLUSTER_TLS_MISSING'
  /** The certificate file could not be decrypted: wrong password or corrupt file. */
  | 'CLUSTER_TLS_BAD_PASSWORD'
  /** `CLUSTER_TLS_PASSWORD` (or `AKKA_TLS_PASSWORD`) is not set. */
  | 'CLUSTER_TLS_NO_PASSWORD'
  /** The certificate file already exists and `--force` was not given. */
  | 'CLUSTER_TLS_EXISTS'
  /** A peer speaks an incompatible protocol version. */
  | 'CLUSTER_VERSION_MISMATCH'
  /** The target member is unreachable, removed, or of another incarnation. */
  | 'CLUSTER_UNREACHABLE'
  /** No actor is registered under the path. */
  | 'CLUSTER_NO_ROUTE'
  /** The link's send queue is over its hard limit; the message was not queued. */
  | 'CLUSTER_LINK_OVERFLOW'
  /** An actor's mailbox is full; the message was not queued. */
  | 'CLUSTER_MAILBOX_FULL'
  /** An `ask` got no reply within its timeout. */
  | 'CLUSTER_ASK_TIMEOUT'
  /** A frame or message payload could not be decoded. */
  | 'CLUSTER_BAD_FRAME'
  /** A message type id or name is registered twice, or not registered. */
  | 'CLUSTER_CODEC'
  /** An operation needs a started member (or a stopped one). */
  | 'CLUSTER_BAD_STATE'
  /** An actor was stopped or does not exist. */
  | 'CLUSTER_NO_ACTOR';

/** Metadata attached to a {@link ClusterError}; plain JSON values only so it can cross the mesh. */
export type ClusterErrorMeta = Record<string, string | number | boolean>;

/** Serialised form of a {@link ClusterError}. */
export interface ClusterErrorJSON {
  name: 'ClusterError';
  code: ClusterErrorCode;
  message: string;
  meta: ClusterErrorMeta;
}

/** The one error class of this package. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  readonly code: ClusterErrorCode;
  readonly meta: ClusterErrorMeta;

  constructor(code: ClusterErrorCode, message: string, meta: ClusterErrorMeta = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.meta = meta;
  }

  toJSON(): ClusterErrorJSON {
    return { name: this.name, code: this.code, message: this.message, meta: this.meta };
  }

  static fromJSON(json: ClusterErrorJSON): ClusterError {
    return new ClusterError(json.code, json.message, json.meta);
  }
}

/** Message of anything thrown, for logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
