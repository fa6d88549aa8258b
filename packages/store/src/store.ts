import type {
  ChannelAnnouncementRecord,
  ChannelRecord,
  ChannelUpdateRecord,
  HtlcDirection,
  HtlcRecord,
  InvoiceRecord,
  InvoiceStatus,
  NodeAnnouncementRecord,
  PaymentRecord,
  PeerRecord,
} from './types.js';

/** Node-wide key/value metadata (e.g. `chain_hash`, our alias, the last scanned block). */
export interface MetaRepository {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/** Known peers and their addresses. */
export interface PeerRepository {
  /** Inserts or replaces the peer, addresses included. */
  put(peer: PeerRecord): Promise<void>;
  get(nodeId: Uint8Array): Promise<PeerRecord | undefined>;
  list(): Promise<PeerRecord[]>;
  delete(nodeId: Uint8Array): Promise<boolean>;
}

/** Channels: versioned state blobs and their indexed columns. */
export interface ChannelRepository {
  /**
   * Inserts the channel, or replaces it when `channel.version` is greater than the stored one.
   * @throws StoreError `STORE_STALE_VERSION` when the stored version is equal or greater.
   */
  put(channel: ChannelRecord): Promise<void>;
  get(channelId: Uint8Array): Promise<ChannelRecord | undefined>;
  getByShortChannelId(shortChannelId: bigint): Promise<ChannelRecord | undefined>;
  /** All channels, optionally of one peer and/or in one state, ordered by channel id. */
  list(filter?: { peerId?: Uint8Array; state?: string }): Promise<ChannelRecord[]>;
  /** Deletes the channel and its HTLCs. */
  delete(channelId: Uint8Array): Promise<boolean>;
}

/** HTLCs of channels. */
export interface HtlcRepository {
  /** Inserts or replaces the HTLC; the channel must exist (`STORE_NOT_FOUND` otherwise). */
  put(htlc: HtlcRecord): Promise<void>;
  get(channelId: Uint8Array, direction: HtlcDirection, htlcId: bigint): Promise<HtlcRecord | undefined>;
  listByChannel(channelId: Uint8Array): Promise<HtlcRecord[]>;
  listByPaymentHash(paymentHash: Uint8Array): Promise<HtlcRecord[]>;
  delete(channelId: Uint8Array, direction: HtlcDirection, htlcId: bigint): Promise<boolean>;
}

/** The BOLT 7 routing graph as received: raw messages plus the fields it is queried by. */
export interface GraphRepository {
  putChannelAnnouncement(ann: ChannelAnnouncementRecord): Promise<void>;
  getChannelAnnouncement(shortChannelId: bigint): Promise<ChannelAnnouncementRecord | undefined>;
  /** Announcements ordered by short channel id, optionally within `[first, first + count)` blocks. */
  listChannelAnnouncements(range?: {
    firstBlock: number;
    blockCount: number;
  }): Promise<ChannelAnnouncementRecord[]>;
  /**
   * Stores the update when it is newer than the stored one for that direction (BOLT 7: a node
   * ignores a `channel_update` whose timestamp is not greater). Returns whether it was stored.
   */
  putChannelUpdate(update: ChannelUpdateRecord): Promise<boolean>;
  /** The updates of one channel, or of every channel (without an id), by channel then direction. */
  listChannelUpdates(shortChannelId?: bigint): Promise<ChannelUpdateRecord[]>;
  /** Stores the announcement when it is newer than the stored one. Returns whether it was stored. */
  putNodeAnnouncement(ann: NodeAnnouncementRecord): Promise<boolean>;
  getNodeAnnouncement(nodeId: Uint8Array): Promise<NodeAnnouncementRecord | undefined>;
  listNodeAnnouncements(): Promise<NodeAnnouncementRecord[]>;
  /** Forgets a node's announcement (BOLT 7 pruning: a node left without channels). */
  deleteNodeAnnouncement(nodeId: Uint8Array): Promise<boolean>;
  /** Forgets a channel (closed or stale, BOLT 7 pruning) with its updates. */
  deleteChannel(shortChannelId: bigint): Promise<boolean>;
}

/** Outgoing payments. */
export interface PaymentRepository {
  /** Inserts or replaces by `paymentId`. */
  put(payment: PaymentRecord): Promise<void>;
  get(paymentId: Uint8Array): Promise<PaymentRecord | undefined>;
  listByPaymentHash(paymentHash: Uint8Array): Promise<PaymentRecord[]>;
  /** Ordered by creation time. */
  list(): Promise<PaymentRecord[]>;
}

/** Invoices we issued. */
export interface InvoiceRepository {
  /** Inserts or replaces by payment hash. */
  put(invoice: InvoiceRecord): Promise<void>;
  get(paymentHash: Uint8Array): Promise<InvoiceRecord | undefined>;
  /** Ordered by creation time, optionally one status only. */
  list(filter?: { status?: InvoiceStatus }): Promise<InvoiceRecord[]>;
}

/** The repositories available inside one transaction. */
export interface StoreTx {
  readonly meta: MetaRepository;
  readonly peers: PeerRepository;
  readonly channels: ChannelRepository;
  readonly htlcs: HtlcRepository;
  readonly graph: GraphRepository;
  readonly payments: PaymentRepository;
  readonly invoices: InvoiceRepository;
}

/** Which database implements a {@link Store}. */
export type StoreKind = 'sqlite' | 'postgres';

/**
 * Persistence for the backend. Every write goes through {@link Store.transaction}, which checks
 * the fencing epoch first: a store whose epoch is no longer the database's (another backend took
 * over) fails with `STORE_STALE_EPOCH` and writes nothing.
 */
export interface Store {
  readonly kind: StoreKind;
  /** The schema version of the open database (equals {@link SCHEMA_VERSION} after open). */
  readonly schemaVersion: number;
  /** The fencing epoch this store writes under. */
  readonly epoch: bigint;
  /**
   * Runs `fn` in one write transaction: committed when it resolves, rolled back when it throws
   * (the error is rethrown). Transactions of one store run one after another.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Runs `fn` in a read-only transaction (no epoch check; writes fail). */
  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Makes `epoch` the database's fencing epoch and this store's. Fails with `STORE_STALE_EPOCH`
   * when the database already holds a greater epoch. Claiming the current epoch again is allowed.
   */
  claimEpoch(epoch: bigint): Promise<void>;
  /** The epoch recorded in the database (may be newer than {@link Store.epoch}). */
  databaseEpoch(): Promise<bigint>;
  close(): Promise<void>;
}

/** Options common to both implementations. */
export interface StoreOptions {
  /**
   * The fencing epoch to claim at open (e.g. the etcd revision of the leader's election key).
   * Without it the store adopts the epoch found in the database.
   */
  epoch?: bigint;
  /** Where transaction timings go (the backend's metrics registry); nothing is recorded without it. */
  metrics?: StoreMetrics;
}

/** A metrics sink for the store, injected by the caller (e.g. backed by a prom-client histogram). */
export interface StoreMetrics {
  /**
   * One finished transaction: `write` or `read`, its duration in seconds as the caller saw it
   * (queueing included), and `ok` or the failure's StoreError code (`error` for other errors).
   */
  transaction(kind: 'write' | 'read', seconds: number, outcome: string): void;
}
