import type { RoutingGraph } from './graph.js';
import { passesFilter, type TimestampFilter } from './rebroadcast.js';

/**
 * BOLT 7 `gossip_timestamp_filter` receiver: the stored gossip whose timestamp is in the filter,
 * a `channel_announcement` counting as the timestamp of one of its updates (never sent without
 * one, nor once spent), announcements first, then updates, then node announcements.
 */
export function gossipForFilter(graph: RoutingGraph, filter: TimestampFilter): Uint8Array[] {
  const anns: Uint8Array[] = [];
  const updates: Uint8Array[] = [];
  const nodes: Uint8Array[] = [];
  for (const c of graph.channels()) {
    if (c.spentAtHeight !== undefined) continue;
    const inRange = c.updates.filter((u) => u !== undefined && passesFilter(filter, u.timestamp));
    if (inRange.length === 0) continue;
    anns.push(c.announcement);
    for (const u of inRange) updates.push(u!.raw);
  }
  for (const n of graph.nodes()) {
    if (n.announcement && n.channels.size > 0 && passesFilter(filter, n.announcement.timestamp)) {
      nodes.push(n.announcement.raw);
    }
  }
  return [...anns, ...updates, ...nodes];
}
