/**
 * Records the store persists. Bytes are `Uint8Array`, msat/sat amounts and 64-bit counters are
 * `bigint` (stored as signed 64-bit integers: BIGINT on PostgreSQL, INTEGER on SQLite; the
 * largest amount, 21e6 BTC = 2.1e18 msat, fits), times are unix seconds as `number`.
 */

/** A peer we know (BOLT 1 node id) and the addresses we may dial it at. */
export interface PeerRecord {
  /** 33-byte compressed public key. */
  nodeId: Uint8Array;
  /** `host:port` strings (IPv6 in brackets, Tor `.onion:port`), most preferred first. */
  addresses: string[];
  /** The peer's last `init` features (BOLT 9), empty when never connected. */
  features: Uint8Array;
  createdAt: number;
  lastConnectedAt: number | null;
}

/**
 * One channel: the opaque state blob of the channel state machine plus the columns other parts
 * query by. `version` is the commitment/state number and only increases (BOLT 2 commitment numbers).
 */
export interface ChannelRecord {
  /** 32-byte `channel_id` (BOLT 2). */
  channelId: Uint8Array;
  /** 33-byte node id of the counterparty. */
  peerId: Uint8Array;
  /** BOLT 7 `short_channel_id` as a 64-bit integer, null until the funding is confirmed. */
  shortChannelId: bigint | null;
  /** State machine state name (e.g. `NORMAL`, `SHUTDOWN`, `CLOSED`). */
  state: string;
  fundingTxid: Uint8Array;
  fundingOutputIndex: number;
  capacitySat: bigint;
  localBalanceMsat: bigint;
  /** Strictly increasing; a put with a version not greater than the stored one is rejected. */
  version: bigint;
  /** Opaque serialised channel state. */
  blob: Uint8Array;
  updatedAt: number;
}

/** Direction of an HTLC as seen from our node. */
export type HtlcDirection = 'offered' | 'received';

/** An HTLC of a channel (BOLT 2 `update_add_htlc`), kept until it is removed and revoked. */
export interface HtlcRecord {
  channelId: Uint8Array;
  direction: HtlcDirection;
  /** BOLT 2 `id`, per direction. */
  htlcId: bigint;
  amountMsat: bigint;
  /** 32 bytes. */
  paymentHash: Uint8Array;
  cltvExpiry: number;
  /** e.g. `pending`, `fulfilled`, `failed`. */
  state: string;
  /** The 1366-byte onion, or empty once it is no longer needed. */
  onion: Uint8Array;
}

/** A BOLT 7 `channel_announcement`, raw message bytes plus its indexed fields. */
export interface ChannelAnnouncementRecord {
  shortChannelId: bigint;
  nodeId1: Uint8Array;
  nodeId2: Uint8Array;
  /** From the funding output once looked up, else null. */
  capacitySat: bigint | null;
  raw: Uint8Array;
}

/** A BOLT 7 `channel_update` for one direction (`channel_flags` bit 0). */
export interface ChannelUpdateRecord {
  shortChannelId: bigint;
  direction: 0 | 1;
  timestamp: number;
  raw: Uint8Array;
}

/** A BOLT 7 `node_announcement`. */
export interface NodeAnnouncementRecord {
  nodeId: Uint8Array;
  timestamp: number;
  raw: Uint8Array;
}

/** Outgoing payment status. */
export type PaymentStatus = 'pending' | 'succeeded' | 'failed';

/** An outgoing payment attempt set (one `paymentId`, possibly several parts). */
export interface PaymentRecord {
  /** 32 bytes chosen by us; several payments may share a payment hash (retries). */
  paymentId: Uint8Array;
  paymentHash: Uint8Array;
  /** 33-byte destination node id. */
  destination: Uint8Array;
  amountMsat: bigint;
  feeMsat: bigint;
  status: PaymentStatus;
  preimage: Uint8Array | null;
  /** BOLT 11 invoice string when paid from an invoice. */
  bolt11: string | null;
  failureReason: string | null;
  createdAt: number;
  completedAt: number | null;
}

/** Incoming invoice status. */
export type InvoiceStatus = 'open' | 'paid' | 'expired' | 'cancelled';

/** An invoice we issued (BOLT 11). */
export interface InvoiceRecord {
  paymentHash: Uint8Array;
  preimage: Uint8Array;
  /** BOLT 11 `payment_secret`. */
  paymentSecret: Uint8Array;
  /** Null for "any amount" invoices. */
  amountMsat: bigint | null;
  bolt11: string;
  description: string;
  status: InvoiceStatus;
  receivedMsat: bigint | null;
  createdAt: number;
  expiresAt: number;
  paidAt: number | null;
}
