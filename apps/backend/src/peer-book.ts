import type { Logger } from '@shoal/log';
import type { Store } from '@shoal/store';
import { decodeMessage, initFeatures } from '@shoal/wire';
import { errorMessage } from './errors.js';

/** A persistent peer: its node id and the addresses to dial it at, most preferred first. */
export interface BookEntry {
  readonly nodeId: Uint8Array;
  addresses: string[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * The persistent peers (those we connected to), kept in the store's `peers` table with their
 * addresses (BOLT 7 `host:port` text) and last `init` features (BOLT 9), and in memory for look-ups.
 */
export class PeerBook {
  private readonly entries = new Map<string, BookEntry>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** Loads every stored peer. */
  async load(): Promise<void> {
    const records = await this.store.read((tx) => tx.peers.list());
    for (const r of records) this.entries.set(hex(r.nodeId), { nodeId: r.nodeId, addresses: r.addresses });
  }

  has(nodeIdHex: string): boolean {
    return this.entries.has(nodeIdHex);
  }

  get(nodeIdHex: string): BookEntry | undefined {
    return this.entries.get(nodeIdHex);
  }

  /** Every persistent peer, by hex node id. */
  all(): ReadonlyMap<string, BookEntry> {
    return this.entries;
  }

  /**
   * Upserts a peer: `address` goes first in its list; `remoteInit` (a raw BOLT 1 `init`) updates its
   * features and last-connected time. A store failure is logged and rethrown.
   */
  async remember(nodeId: Uint8Array, address: string | undefined, remoteInit?: Uint8Array): Promise<void> {
    const id = hex(nodeId);
    const entry = this.entries.get(id) ?? { nodeId: Uint8Array.from(nodeId), addresses: [] };
    if (address !== undefined) entry.addresses = [address, ...entry.addresses.filter((a) => a !== address)];
    this.entries.set(id, entry);
    const features = remoteInit === undefined ? undefined : this.featuresOf(id, remoteInit);
    try {
      await this.store.transaction(async (tx) => {
        const old = await tx.peers.get(nodeId);
        const now = Math.floor(Date.now() / 1000);
        await tx.peers.put({
          nodeId,
          addresses: entry.addresses,
          features: features ?? old?.features ?? new Uint8Array(0),
          createdAt: old?.createdAt ?? now,
          lastConnectedAt: remoteInit === undefined ? (old?.lastConnectedAt ?? null) : now,
        });
      });
    } catch (err) {
      this.logger.error('storing a peer failed', { peer: id, err });
      throw err;
    }
  }

  /** Removes a peer; false when it was not persistent. */
  async forget(nodeId: Uint8Array): Promise<boolean> {
    if (!this.entries.delete(hex(nodeId))) return false;
    await this.store.transaction((tx) => tx.peers.delete(nodeId));
    return true;
  }

  /** The BOLT 9 features of a raw BOLT 1 `init`; undefined (logged) when it does not decode. */
  private featuresOf(id: string, raw: Uint8Array): Uint8Array | undefined {
    try {
      const m = decodeMessage(raw);
      return m.type === 'init' ? initFeatures(m).toBytes() : undefined;
    } catch (err) {
      this.logger.warn('the peer init does not decode; its features are not stored', {
        peer: id,
        error: errorMessage(err),
      });
      return undefined;
    }
  }
}
