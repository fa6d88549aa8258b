import type { RoutingGraph } from './graph.js';
import { type GossipIdentity, gossipIdentity } from './identity.js';
import type { Gossip } from './precheck.js';
import type { RebroadcastQueue } from './rebroadcast-queue.js';
import type { GraphReplica } from './replica.js';

/** What the frontend router does with an incoming gossip message. */
export type OfferResult =
  /** Forward it to the backend (first sighting). */
  | 'new'
  /** The graph copy already holds this version or a newer one. */
  | 'known'
  /** Already forwarded from this or another peer; this peer is now an origin too. */
  | 'in_flight'
  /** Already accepted and waiting for rebroadcast; this peer is now an origin too. */
  | 'pending';

interface InFlight {
  identity: GossipIdentity;
  gossip: Gossip;
  origins: Set<string>;
}

/** Whether the graph copy holds this version of the message or a newer one. */
export function isKnown(graph: RoutingGraph, g: Gossip): boolean {
  switch (g.kind) {
    case 'channel_announcement':
      return graph.channel(g.message.shortChannelId) !== undefined;
    case 'channel_update': {
      const held = graph.channel(g.message.shortChannelId)?.updates[g.message.channelFlags & 1];
      return held !== undefined && held.timestamp >= g.message.timestamp;
    }
    case 'node_announcement': {
      const held = graph.node(g.message.nodeId)?.announcement;
      return held !== undefined && held.timestamp >= g.message.timestamp;
    }
  }
}

/**
 * The frontend router's de-duplication (DESIGN 4 "Gossip in"): drops what the graph copy knows,
 * joins messages already in flight to the backend or pending rebroadcast, and remembers every
 * origin so each one is acked once the backend decides and none gets the message back.
 */
export class GossipDeduplicator {
  readonly #graph: () => RoutingGraph;
  readonly #queue: RebroadcastQueue;
  readonly #inFlight = new Map<string, InFlight>();

  /** `source` is the graph, or a holder of it such as a {@link GraphReplica} (which swaps graphs). */
  constructor(source: RoutingGraph | { readonly graph: RoutingGraph }, queue: RebroadcastQueue) {
    this.#graph = 'graph' in source ? () => source.graph : () => source;
    this.#queue = queue;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Key of one version of a message: identity and timestamp. */
  static key(g: Gossip): string {
    const i = gossipIdentity(g);
    return `${i.id}@${i.timestamp}`;
  }

  /** Records `peer` as an origin of `g` and says whether to forward it. */
  offer(peer: string, g: Gossip): OfferResult {
    const identity = gossipIdentity(g);
    const key = `${identity.id}@${identity.timestamp}`;
    const flying = this.#inFlight.get(key);
    if (flying) {
      flying.origins.add(peer);
      return 'in_flight';
    }
    const queued = this.#queue.find(identity.id, identity.timestamp);
    if (queued) {
      queued.origins.add(peer);
      return 'pending';
    }
    if (isKnown(this.#graph(), g)) return 'known';
    this.#inFlight.set(key, { identity, gossip: g, origins: new Set([peer]) });
    return 'new';
  }

  /**
   * The backend decided on the message with `key`: returns its origins (each to be acked, or
   * penalised). Accepted messages go to the rebroadcast queue with their origins.
   */
  decide(key: string, accepted: boolean): string[] {
    const f = this.#inFlight.get(key);
    if (!f) return [];
    this.#inFlight.delete(key);
    if (accepted) this.#queue.push(f.identity, f.gossip.raw, f.origins);
    return [...f.origins];
  }

  /** Forgets every in-flight message (the backend went away); returns their origins by key. */
  clear(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [k, f] of this.#inFlight) out.set(k, [...f.origins]);
    this.#inFlight.clear();
    return out;
  }
}
