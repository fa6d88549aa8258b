import type { RoutingGraph } from './graph.js';
import type { ChannelInfo } from './graph-types.js';
import type { ChannelRemovalReason, GraphDelta } from './types.js';
import { nodeKey } from './util.js';

/** BOLT 7 "Pruning the Network View": channels spent at least `forgetBlocks` before `height`. */
export function spentToForget(graph: RoutingGraph, height: number, forgetBlocks: number): ChannelInfo[] {
  return [...graph.channels()].filter(
    (c) => c.spentAtHeight !== undefined && height - c.spentAtHeight >= forgetBlocks,
  );
}

/**
 * BOLT 7 "Recommendation on Pruning Stale Entries": unspent channels whose oldest latest update
 * (a missing direction counts from when the channel was added) is older than `cutoffSeconds`.
 */
export function staleChannels(graph: RoutingGraph, cutoffSeconds: number): ChannelInfo[] {
  const stale: ChannelInfo[] = [];
  for (const c of graph.channels()) {
    if (c.spentAtHeight !== undefined) continue;
    const added = c.addedAt / 1000;
    const oldest = Math.min(c.updates[0]?.timestamp ?? added, c.updates[1]?.timestamp ?? added);
    if (oldest < cutoffSeconds) stale.push(c);
  }
  return stale;
}

/** Deltas removing channels, then every node left without channels (BOLT 7 "MAY purge"). */
export function removalDeltas(
  graph: RoutingGraph,
  scids: bigint[],
  reason: ChannelRemovalReason,
): GraphDelta[] {
  const deltas: GraphDelta[] = [];
  const left = new Map<string, { nodeId: Uint8Array; count: number }>();
  for (const scid of scids) {
    const c = graph.channel(scid);
    if (!c) continue;
    deltas.push({ kind: 'channel_removed', scid, reason });
    for (const id of [c.nodeId1, c.nodeId2]) {
      const k = nodeKey(id);
      const e = left.get(k) ?? { nodeId: id, count: graph.node(id)?.channels.size ?? 0 };
      e.count--;
      left.set(k, e);
    }
  }
  for (const e of left.values()) if (e.count <= 0) deltas.push({ kind: 'node_removed', nodeId: e.nodeId });
  return deltas;
}
