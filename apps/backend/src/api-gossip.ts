import type { NodeAnnouncementInfo, NodeInfo, RoutingGraph, UpdateInfo } from '@shoal/gossip';
import { decodeMessage, Features, formatAddress, scidToString } from '@shoal/wire';
import { type AnyApiCall, ApiError, formCall, missingParam, parsePublicKey } from './api/index.js';
import { activatedFeatures } from './handlers.js';

/** The graph the gossip calls read (the backend Router's canonical graph). */
export interface GraphSource {
  readonly graph: RoutingGraph;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Eclair's timestamp form: `{iso, unix}` (seconds). */
function timestamp(unix: number): { iso: string; unix: number } {
  return { iso: new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), unix };
}

/** BOLT 9 features as Eclair shows them: activated names, and unknown bits when there are some. */
function features(bytes: Uint8Array): Record<string, unknown> {
  const f = Features.fromBytes(bytes);
  const unknown = [...f.unknownCompulsoryBits(), ...f.unknownOptionalBits()].sort((a, b) => a - b);
  return unknown.length > 0
    ? { activated: activatedFeatures(bytes), unknown }
    : { activated: activatedFeatures(bytes) };
}

/** BOLT 7 `alias`: UTF-8 up to the first zero byte, control characters removed (it is untrusted). */
export function aliasText(alias: Uint8Array): string {
  const end = alias.indexOf(0);
  const text = Buffer.from(alias.subarray(0, end < 0 ? alias.length : end)).toString('utf8');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, '');
}

/** Eclair's `NodeAnnouncement` JSON (fields in Eclair's order). */
export function renderNodeAnnouncement(nodeId: Uint8Array, a: NodeAnnouncementInfo): Record<string, unknown> {
  return {
    signature: a.raw.subarray(2, 66),
    features: features(a.features),
    timestamp: timestamp(a.timestamp),
    nodeId,
    rgbColor: `#${hex(a.rgbColor)}`,
    alias: aliasText(a.alias),
    addresses: a.addresses.map(formatAddress).filter((t) => t !== undefined),
    tlvStream: {},
  };
}

/** Eclair's `ChannelUpdate` JSON (fields in Eclair's order). */
export function renderChannelUpdate(scid: bigint, u: UpdateInfo): Record<string, unknown> {
  const m = decodeMessage(u.raw);
  if (m.type !== 'channel_update')
    throw new ApiError('API_INTERNAL', 'stored update is not a channel_update');
  return {
    signature: m.signature,
    chainHash: m.chainHash,
    shortChannelId: scidToString(scid),
    timestamp: timestamp(u.timestamp),
    // BOLT 7: message_flags bit 1 `dont_forward`; channel_flags bit 0 direction, bit 1 disable.
    messageFlags: { dontForward: (u.messageFlags & 2) !== 0 },
    channelFlags: { isEnabled: (u.channelFlags & 2) === 0, isNode1: (u.channelFlags & 1) === 0 },
    cltvExpiryDelta: u.cltvExpiryDelta,
    htlcMinimumMsat: u.htlcMinimumMsat,
    feeBaseMsat: u.feeBaseMsat,
    feeProportionalMillionths: u.feeProportionalMillionths,
    htlcMaximumMsat: u.htlcMaximumMsat,
    tlvStream: {},
  };
}

/** Eclair's `Stats`: median and percentiles (nearest rank) of `values`; null when empty. */
export function stats(values: readonly bigint[]): Record<string, bigint> | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const at = (p: number): bigint =>
    s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  return {
    median: at(50),
    percentile5: at(5),
    percentile10: at(10),
    percentile25: at(25),
    percentile75: at(75),
    percentile90: at(90),
    percentile95: at(95),
  };
}

/** `networkstats`: Eclair's `NetworkStats` fields, then Shoal's counts. */
export function networkStats(graph: RoutingGraph): Record<string, unknown> {
  const capacity: bigint[] = [];
  const cltv: bigint[] = [];
  const feeBase: bigint[] = [];
  const feeProportional: bigint[] = [];
  for (const c of graph.channels()) {
    capacity.push(c.capacitySat);
    for (const u of c.updates) {
      if (u === undefined) continue;
      cltv.push(BigInt(u.cltvExpiryDelta));
      feeBase.push(BigInt(u.feeBaseMsat));
      feeProportional.push(BigInt(u.feeProportionalMillionths));
    }
  }
  const s = graph.stats();
  return {
    channels: s.channels,
    nodes: s.nodes,
    capacity: stats(capacity),
    cltvExpiryDelta: stats(cltv),
    feeBase: stats(feeBase),
    feeProportional: stats(feeProportional),
    announcedNodes: s.announcedNodes,
    updates: s.updates,
    spentChannels: s.spentChannels,
    totalCapacity: s.capacitySat,
  };
}

function optionalNodeId(fields: Readonly<Record<string, string>>): Uint8Array | undefined {
  const text = fields.nodeId;
  return text === undefined || text === '' ? undefined : parsePublicKey('nodeId', text);
}

function announced(graph: RoutingGraph, filter?: ReadonlySet<string>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const n of graph.nodes()) {
    if (n.announcement === undefined || (filter !== undefined && !filter.has(hex(n.nodeId)))) continue;
    out.push(renderNodeAnnouncement(n.nodeId, n.announcement));
  }
  return out;
}

function nodeDetails(n: NodeInfo, graph: RoutingGraph): Record<string, unknown> {
  let capacity = 0n;
  let active = 0;
  for (const scid of n.channels) {
    const c = graph.channel(scid);
    if (c === undefined || c.spentAtHeight !== undefined) continue;
    active++;
    capacity += c.capacitySat;
  }
  return {
    ...(n.announcement === undefined
      ? {}
      : { announcement: renderNodeAnnouncement(n.nodeId, n.announcement) }),
    activeChannels: active,
    totalCapacity: capacity,
  };
}

/** Parses Eclair's `nodeIds` list: comma-separated, or a JSON array of strings. */
function nodeIdList(text: string): Set<string> {
  const trimmed = text.trim();
  let items: unknown;
  try {
    items = trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split(',');
  } catch {
    throw new ApiError('API_BAD_PARAM', "The form field 'nodeIds' was malformed:\nexpected a JSON list", {
      param: 'nodeIds',
    });
  }
  if (!Array.isArray(items))
    throw new ApiError('API_BAD_PARAM', "'nodeIds' must be a list", { param: 'nodeIds' });
  return new Set(items.map((s) => hex(parsePublicKey('nodeIds', String(s).trim()))));
}

/**
 * Eclair's network calls over the canonical graph: `allnodes` (and `nodes` with optional
 * `nodeIds`), `allchannels`, `allupdates` (optional `nodeId`), `node` (`nodeId`; 404 when unknown,
 * 400 when malformed) and `networkstats`.
 */
export function gossipCalls(source: GraphSource): AnyApiCall[] {
  const g = (): RoutingGraph => source.graph;
  return [
    formCall('allnodes', async () => announced(g()), {
      summary: 'every node_announcement of the routing graph',
    }),
    formCall(
      'nodes',
      async (f) =>
        announced(g(), f.nodeIds === undefined || f.nodeIds === '' ? undefined : nodeIdList(f.nodeIds)),
      { summary: 'nodeIds? -> node_announcements (all, or of these nodes)' },
    ),
    formCall(
      'allchannels',
      async () =>
        [...g().channels()].map((c) => ({
          shortChannelId: scidToString(c.scid),
          a: c.nodeId1,
          b: c.nodeId2,
        })),
      { summary: 'every public channel: shortChannelId and its two nodes' },
    ),
    formCall(
      'allupdates',
      async (f) => {
        const id = optionalNodeId(f);
        const out: Record<string, unknown>[] = [];
        for (const c of g().channels()) {
          if (id !== undefined && !Buffer.from(c.nodeId1).equals(id) && !Buffer.from(c.nodeId2).equals(id))
            continue;
          for (const u of c.updates) if (u !== undefined) out.push(renderChannelUpdate(c.scid, u));
        }
        return out;
      },
      { summary: 'nodeId? -> the latest channel_update of each channel direction (of that node)' },
    ),
    formCall(
      'node',
      async (f) => {
        if (f.nodeId === undefined) throw missingParam('nodeId');
        const id = parsePublicKey('nodeId', f.nodeId);
        const n = g().node(id);
        if (n === undefined)
          throw new ApiError('API_NOT_FOUND', `node ${hex(id)} not found`, { nodeId: hex(id) });
        return nodeDetails(n, g());
      },
      { summary: 'nodeId -> its node_announcement, active channels and total capacity' },
    ),
    formCall('networkstats', async () => networkStats(g()), {
      summary: 'channel and node counts, capacity, cltv and fee percentiles of the routing graph',
    }),
  ];
}
