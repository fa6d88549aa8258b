import { type ChannelUpdateMessage, decodeMessage, Features, type Message, WireError } from '@shoal/wire';
import { channelUpdateChecksum } from './checksum.js';
import { GossipError } from './errors.js';
import type { ChannelInfo, GraphStats, NodeInfo, UpdateInfo } from './graph-types.js';
import type { GraphDelta } from './types.js';
import { nodeKey, scidBlock } from './util.js';

function decodeAs<T extends Message['type']>(raw: Uint8Array, type: T): Extract<Message, { type: T }> {
  let m: Message;
  try {
    m = decodeMessage(raw);
  } catch (e) {
    if (e instanceof WireError)
      throw new GossipError('GOSSIP_BAD_DELTA', `undecodable ${type}`, {}, { cause: e });
    throw e;
  }
  if (m.type !== type) throw new GossipError('GOSSIP_BAD_DELTA', `expected ${type}, got ${String(m.type)}`);
  return m as Extract<Message, { type: T }>;
}

/** Decodes a stored `channel_update` into the graph's form. */
export function updateInfo(m: ChannelUpdateMessage, raw: Uint8Array): UpdateInfo {
  return {
    raw,
    timestamp: m.timestamp,
    messageFlags: m.messageFlags,
    channelFlags: m.channelFlags,
    cltvExpiryDelta: m.cltvExpiryDelta,
    htlcMinimumMsat: m.htlcMinimumMsat,
    htlcMaximumMsat: m.htlcMaximumMsat,
    feeBaseMsat: m.feeBaseMsat,
    feeProportionalMillionths: m.feeProportionalMillionths,
    checksum: channelUpdateChecksum(raw),
  };
}

/**
 * The routing graph (BOLT 7): nodes, channels and the latest update per direction. It holds no
 * validation logic: it changes only through {@link RoutingGraph.apply} with deltas, which is how
 * the backend's canonical graph and each frontend's copy stay identical.
 */
export class RoutingGraph {
  readonly #channels = new Map<bigint, ChannelInfo>();
  readonly #nodes = new Map<string, NodeInfo>();
  #sorted: bigint[] | undefined;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get channelCount(): number {
    return this.#channels.size;
  }

  get nodeCount(): number {
    return this.#nodes.size;
  }

  channel(scid: bigint): ChannelInfo | undefined {
    return this.#channels.get(scid);
  }

  node(nodeId: Uint8Array): NodeInfo | undefined {
    return this.#nodes.get(nodeKey(nodeId));
  }

  channels(): IterableIterator<ChannelInfo> {
    return this.#channels.values();
  }

  nodes(): IterableIterator<NodeInfo> {
    return this.#nodes.values();
  }

  /** Short channel ids of unspent channels whose block is in [first, end), ascending. */
  scidsInBlocks(first: number, end: number): bigint[] {
    if (!this.#sorted) this.#sorted = [...this.#channels.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const s = this.#sorted;
    let lo = 0;
    let hi = s.length;
    const start = BigInt(first) << 40n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    const out: bigint[] = [];
    for (let i = lo; i < s.length && scidBlock(s[i]!) < end; i++) {
      const c = this.#channels.get(s[i]!)!;
      if (c.spentAtHeight === undefined) out.push(s[i]!);
    }
    return out;
  }

  /** Applies deltas in order. Throws `GOSSIP_BAD_DELTA` on one that does not fit the graph. */
  apply(deltas: Iterable<GraphDelta>): void {
    for (const d of deltas) this.applyDelta(d);
  }

  applyDelta(d: GraphDelta): void {
    switch (d.kind) {
      case 'channel_added': {
        const m = decodeAs(d.announcement, 'channel_announcement');
        if (m.shortChannelId !== d.scid) throw new GossipError('GOSSIP_BAD_DELTA', 'scid mismatch');
        this.#channels.set(d.scid, {
          scid: d.scid,
          announcement: d.announcement,
          nodeId1: m.nodeId1,
          nodeId2: m.nodeId2,
          features: m.features,
          capacitySat: d.capacitySat,
          routable: Features.fromBytes(m.features).unknownCompulsoryBits().length === 0,
          updates: [undefined, undefined],
          addedAt: this.#now(),
        });
        this.#sorted = undefined;
        this.#ensureNode(m.nodeId1).channels.add(d.scid);
        this.#ensureNode(m.nodeId2).channels.add(d.scid);
        return;
      }
      case 'channel_updated': {
        const c = this.#mustChannel(d.scid, d.kind);
        const m = decodeAs(d.update, 'channel_update');
        c.updates[d.direction] = updateInfo(m, d.update);
        return;
      }
      case 'channel_spent':
        this.#mustChannel(d.scid, d.kind).spentAtHeight = d.height;
        return;
      case 'channel_removed': {
        const c = this.#mustChannel(d.scid, d.kind);
        this.#channels.delete(d.scid);
        this.#sorted = undefined;
        this.node(c.nodeId1)?.channels.delete(d.scid);
        this.node(c.nodeId2)?.channels.delete(d.scid);
        return;
      }
      case 'node_added':
        this.#ensureNode(d.nodeId);
        return;
      case 'node_updated': {
        const m = decodeAs(d.announcement, 'node_announcement');
        this.#ensureNode(d.nodeId).announcement = {
          raw: d.announcement,
          timestamp: m.timestamp,
          features: m.features,
          rgbColor: m.rgbColor,
          alias: m.alias,
          addresses: m.addresses,
          routable: Features.fromBytes(m.features).unknownCompulsoryBits().length === 0,
        };
        return;
      }
      case 'node_removed':
        this.#nodes.delete(nodeKey(d.nodeId));
        return;
    }
  }

  /**
   * The whole graph as batches of deltas (channels with their updates and spent marks, then node
   * announcements), for streaming to a joining frontend or saving a compacted copy.
   */
  *snapshot(batchSize = 1000): Generator<GraphDelta[]> {
    if (!(batchSize > 0)) throw new GossipError('GOSSIP_BAD_OPTION', 'batchSize must be positive');
    const items: GraphDelta[] = [];
    for (const c of this.#channels.values()) {
      items.push({
        kind: 'channel_added',
        scid: c.scid,
        announcement: c.announcement,
        capacitySat: c.capacitySat,
      });
      c.updates.forEach((u, i) => {
        if (u) items.push({ kind: 'channel_updated', scid: c.scid, direction: i as 0 | 1, update: u.raw });
      });
      if (c.spentAtHeight !== undefined)
        items.push({ kind: 'channel_spent', scid: c.scid, height: c.spentAtHeight });
    }
    for (const n of this.#nodes.values()) {
      if (n.channels.size === 0) items.push({ kind: 'node_added', nodeId: n.nodeId });
      if (n.announcement)
        items.push({ kind: 'node_updated', nodeId: n.nodeId, announcement: n.announcement.raw });
    }
    for (let i = 0; i < items.length; i += batchSize) yield items.slice(i, i + batchSize);
  }

  /** A `networkstats`-like summary. */
  stats(): GraphStats {
    let updates = 0;
    let spent = 0;
    let capacitySat = 0n;
    for (const c of this.#channels.values()) {
      updates += (c.updates[0] ? 1 : 0) + (c.updates[1] ? 1 : 0);
      if (c.spentAtHeight !== undefined) spent++;
      capacitySat += c.capacitySat;
    }
    let announced = 0;
    for (const n of this.#nodes.values()) if (n.announcement) announced++;
    return {
      nodes: this.#nodes.size,
      announcedNodes: announced,
      channels: this.#channels.size,
      spentChannels: spent,
      updates,
      capacitySat,
    };
  }

  #ensureNode(nodeId: Uint8Array): NodeInfo {
    const k = nodeKey(nodeId);
    let n = this.#nodes.get(k);
    if (!n) {
      n = { nodeId, channels: new Set() };
      this.#nodes.set(k, n);
    }
    return n;
  }

  #mustChannel(scid: bigint, kind: string): ChannelInfo {
    const c = this.#channels.get(scid);
    if (!c)
      throw new GossipError('GOSSIP_BAD_DELTA', `${kind} for unknown channel`, { scid: scid.toString() });
    return c;
  }
}
