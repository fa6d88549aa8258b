import type { GraphDelta, GraphPersistence } from '@shoal/gossip';
import type { GraphRepository, Store } from '@shoal/store';
import { decodeMessage } from '@shoal/wire';
import { BackendError } from '../errors.js';

/** Deltas per batch when replaying the saved graph. */
const LOAD_BATCH = 1000;

/** BOLT 7 `channel_update`: type, signature, chain_hash and short_channel_id precede `timestamp`. */
const UPDATE_TIMESTAMP_AT = 2 + 64 + 32 + 8;
/** BOLT 7 `node_announcement`: type and signature precede `flen`. */
const NODE_FLEN_AT = 2 + 64;

interface Pending {
  deltas: readonly GraphDelta[];
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * The routing graph in the store's `graph` tables. Saves are group-committed: every `save` made
 * while a transaction runs joins the next one, in order, so a burst of accepted gossip costs one
 * store transaction (and one fencing check) per batch rather than per message. Spent marks are
 * not stored: the router finds them again from the chain source at start.
 */
export class StoreGraphPersistence implements GraphPersistence {
  #queue: Pending[] = [];
  #flushing = false;

  constructor(private readonly store: Store) {}

  save(deltas: readonly GraphDelta[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ deltas, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async *load(): AsyncIterable<readonly GraphDelta[]> {
    const { channels, updates, nodes } = await this.store.read(async (tx) => ({
      channels: await tx.graph.listChannelAnnouncements(),
      updates: await tx.graph.listChannelUpdates(),
      nodes: await tx.graph.listNodeAnnouncements(),
    }));
    const known = new Set<bigint>();
    const endpoints = new Set<string>();
    let batch: GraphDelta[] = [];
    const push = function* (d: GraphDelta): Generator<GraphDelta[]> {
      batch.push(d);
      if (batch.length >= LOAD_BATCH) {
        yield batch;
        batch = [];
      }
    };
    for (const c of channels) {
      known.add(c.shortChannelId);
      endpoints.add(hex(c.nodeId1));
      endpoints.add(hex(c.nodeId2));
      yield* push({
        kind: 'channel_added',
        scid: c.shortChannelId,
        announcement: c.raw,
        capacitySat: c.capacitySat ?? 0n,
      });
    }
    for (const u of updates) {
      if (known.has(u.shortChannelId)) {
        yield* push({
          kind: 'channel_updated',
          scid: u.shortChannelId,
          direction: u.direction,
          update: u.raw,
        });
      }
    }
    // BOLT 7: a node announcement is only kept while the node has a channel.
    for (const n of nodes) {
      if (endpoints.has(hex(n.nodeId)))
        yield* push({ kind: 'node_updated', nodeId: n.nodeId, announcement: n.raw });
    }
    if (batch.length > 0) yield batch;
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      try {
        await this.store.transaction(async (tx) => {
          for (const p of group) for (const d of p.deltas) await saveDelta(tx.graph, d);
        });
        for (const p of group) p.resolve();
      } catch (err) {
        // Each caller gets the failure (e.g. STORE_STALE_EPOCH after a failover) and reports it.
        for (const p of group) p.reject(err);
      }
    }
    this.#flushing = false;
  }
}

async function saveDelta(graph: GraphRepository, d: GraphDelta): Promise<void> {
  switch (d.kind) {
    case 'channel_added': {
      const m = decodeMessage(d.announcement);
      if (m.type !== 'channel_announcement') throw badDelta(d.kind);
      await graph.putChannelAnnouncement({
        shortChannelId: d.scid,
        nodeId1: m.nodeId1,
        nodeId2: m.nodeId2,
        capacitySat: d.capacitySat,
        raw: d.announcement,
      });
      return;
    }
    case 'channel_updated':
      await graph.putChannelUpdate({
        shortChannelId: d.scid,
        direction: d.direction,
        timestamp: u32(d.update, UPDATE_TIMESTAMP_AT, d.kind),
        raw: d.update,
      });
      return;
    case 'channel_removed':
      await graph.deleteChannel(d.scid);
      return;
    case 'node_updated': {
      const flen = u16(d.announcement, NODE_FLEN_AT, d.kind);
      const timestamp = u32(d.announcement, NODE_FLEN_AT + 2 + flen, d.kind);
      await graph.putNodeAnnouncement({ nodeId: d.nodeId, timestamp, raw: d.announcement });
      return;
    }
    case 'node_removed':
      await graph.deleteNodeAnnouncement(d.nodeId);
      return;
    case 'channel_spent':
    case 'node_added':
      // Derived again at start: spends from the chain source, bare nodes from their channels.
      return;
  }
}

function u16(b: Uint8Array, at: number, kind: string): number {
  if (b.length < at + 2) throw badDelta(kind);
  return (b[at]! << 8) | b[at + 1]!;
}

function u32(b: Uint8Array, at: number, kind: string): number {
  if (b.length < at + 4) throw badDelta(kind);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32BE(at);
}

function badDelta(kind: string): BackendError {
  return new BackendError('BACKEND_BAD_STATE', `cannot persist a malformed ${kind} delta`, { kind });
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
