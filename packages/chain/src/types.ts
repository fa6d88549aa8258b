/** Bitcoin networks a chain source can be on (names as Lightning and bitcoinjs use them). */
export type BitcoinNetwork = 'mainnet' | 'testnet' | 'testnet4' | 'signet' | 'regtest';

/** A transaction output reference. `txid` is in internal byte order (as in a transaction input). */
export interface OutPoint {
  readonly txid: Uint8Array;
  readonly vout: number;
}

/** The chain tip. `hash` is in internal byte order. */
export interface ChainTip {
  readonly height: number;
  readonly hash: Uint8Array;
}

/** A block of the active chain (or a stale one, `height` then is where it was). */
export interface ChainBlock {
  readonly hash: Uint8Array;
  readonly height: number;
  readonly previousHash: Uint8Array;
  /** Block header time, seconds since the epoch. */
  readonly time: number;
  /** The serialised block (header and transactions with witnesses). */
  readonly raw: Uint8Array;
}

/** A transaction and where it is, if confirmed on the active chain. */
export interface ChainTransaction {
  readonly txid: Uint8Array;
  readonly raw: Uint8Array;
  /** Undefined while the transaction is in the mempool. */
  readonly confirmation?: { readonly height: number; readonly blockHash: Uint8Array };
}

/** An unspent output of the active chain (mempool spends not considered). */
export interface Utxo {
  readonly outpoint: OutPoint;
  readonly value: bigint;
  readonly script: Uint8Array;
  readonly height: number;
  readonly coinbase: boolean;
}

/** A short channel id split into its BOLT 7 parts. */
export interface ShortChannelId {
  readonly blockHeight: number;
  readonly txIndex: number;
  readonly outputIndex: number;
}

/** The output a short channel id points at, and whether it is still unspent. */
export interface ScidOutput {
  readonly outpoint: OutPoint;
  readonly value: bigint;
  readonly script: Uint8Array;
  readonly unspent: boolean;
}

/** A fee-rate estimate; `satPerKw` is BOLT 3's `feerate_per_kw` unit (never below 253). */
export interface FeeEstimate {
  readonly satPerKvB: bigint;
  readonly satPerKw: bigint;
  readonly targetBlocks: number;
}

/** Options of `watchSpend`/`watchConfirmations`. */
export interface WatchOptions {
  /** Caller-chosen id (events carry it); a fresh one otherwise. */
  readonly id?: string;
  /** Rescan the active chain from this height when the watch is added (events may fire at once). */
  readonly fromHeight?: number;
}

/** Events of a chain source. Hashes and txids in internal byte order. */
export interface ChainEvents {
  /** A block joined the active chain (in height order). */
  block: ChainTip;
  /** A block left the active chain in a reorg (highest first). */
  blockDisconnected: ChainTip;
  /** A watched output was spent in a block. */
  spent: {
    watchId: string;
    outpoint: OutPoint;
    spendingTxid: Uint8Array;
    spendingTx: Uint8Array;
    inputIndex: number;
    height: number;
    blockHash: Uint8Array;
  };
  /** The block that spent a watched output left the active chain. */
  spendReorged: { watchId: string; outpoint: OutPoint; spendingTxid: Uint8Array };
  /** A watched transaction reached its depth. */
  confirmed: { watchId: string; txid: Uint8Array; height: number; blockHash: Uint8Array; depth: number };
  /** A transaction reported `confirmed` left the active chain; the watch keeps going. */
  unconfirmed: { watchId: string; txid: Uint8Array; previousHeight: number };
  /** A background failure (polling); the source keeps running. */
  error: Error;
}

export type ChainEventName = keyof ChainEvents;
export type ChainListener<K extends ChainEventName> = (event: ChainEvents[K]) => void;

/**
 * Where the node reads the chain from. Every argument and result is plain data (bytes, numbers,
 * bigint), so the interface can sit behind the cluster mesh.
 */
export interface ChainSource {
  readonly network: BitcoinNetwork;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** BOLT 0 `chain_hash`: the genesis block hash in internal byte order. */
  getChainHash(): Promise<Uint8Array>;
  getTip(): Promise<ChainTip>;
  /** Hash of the active-chain block at `height`, undefined above the tip. */
  getBlockHash(height: number): Promise<Uint8Array | undefined>;
  getBlock(hash: Uint8Array): Promise<ChainBlock | undefined>;
  getTransaction(txid: Uint8Array): Promise<ChainTransaction | undefined>;
  getUtxo(outpoint: OutPoint): Promise<Utxo | undefined>;
  /** BOLT 7: the output behind a `short_channel_id`, undefined if there is none. */
  outputAtShortChannelId(scid: ShortChannelId): Promise<ScidOutput | undefined>;
  estimateFee(targetBlocks: number): Promise<FeeEstimate>;
  /** Submits a transaction; resolves with its txid (internal order). */
  broadcast(rawTx: Uint8Array): Promise<Uint8Array>;
  watchSpend(outpoint: OutPoint, options?: WatchOptions): Promise<string>;
  watchConfirmations(txid: Uint8Array, depth: number, options?: WatchOptions): Promise<string>;
  unwatch(watchId: string): void;
  /** Processes every block up to the current tip now and resolves when its events are emitted. */
  sync(): Promise<void>;
  on<K extends ChainEventName>(event: K, listener: ChainListener<K>): () => void;
}

/** Minimal logger injected into components. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
