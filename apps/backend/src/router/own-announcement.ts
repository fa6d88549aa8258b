import {
  type Clock,
  type GossipDecision,
  nextAnnouncementTimestamp,
  type RoutingGraph,
  type Signed,
  signNodeAnnouncement,
} from '@shoal/gossip';
import type { Logger } from '@shoal/log';
import type { Address, NodeAnnouncementMessage } from '@shoal/wire';

/** What our `node_announcement` says, and the key that signs it. */
export interface OwnNode {
  /** The node private key (`@shoal/identity`'s `KeyRing.nodeKey().privateKey`). */
  nodeKey: Uint8Array;
  nodeId: Uint8Array;
  alias: string;
  /** 6 hex digits. */
  color: string;
  addresses: Address[];
  /** BOLT 9 features for the `node_announcement` context. */
  features: Uint8Array;
}

/** BOLT 7 `alias`: 32 bytes, UTF-8, zero-padded (cut at a character boundary when too long). */
export function aliasBytes(alias: string): Uint8Array {
  const out = new Uint8Array(32);
  let used = 0;
  for (const ch of alias) {
    const b = Buffer.from(ch, 'utf8');
    if (used + b.length > 32) break;
    out.set(b, used);
    used += b.length;
  }
  return out;
}

/**
 * Our `node_announcement` (BOLT 7 origin node requirements): signed with the node key, a
 * timestamp greater than the one we announced before, our alias, color, public addresses and
 * features.
 */
export function ownNodeAnnouncement(
  node: OwnNode,
  previousTimestamp: number | undefined,
  nowSeconds: number,
): Signed<NodeAnnouncementMessage> {
  return signNodeAnnouncement(
    {
      type: 'node_announcement',
      signature: new Uint8Array(64),
      features: node.features,
      timestamp: nextAnnouncementTimestamp(previousTimestamp, nowSeconds),
      nodeId: node.nodeId,
      rgbColor: Uint8Array.from(Buffer.from(node.color, 'hex')),
      alias: aliasBytes(node.alias),
      addresses: node.addresses,
      tlvs: { unknown: [] },
    },
    node.nodeKey,
  );
}

/**
 * Announces our node once per run, when the graph first holds a public channel of ours (BOLT 7:
 * a `node_announcement` is only accepted from a node with a channel). The announcement goes
 * through the same processor as received gossip, so it is stored and published to frontends
 * like any other.
 */
export class OwnAnnouncer {
  #announced = false;
  #inflight: Promise<GossipDecision | undefined> | undefined;

  constructor(
    private readonly deps: {
      node: OwnNode;
      graph: RoutingGraph;
      submit(raw: Uint8Array): Promise<GossipDecision>;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** Announces when we have a public channel and have not announced in this run. */
  check(): Promise<GossipDecision | undefined> {
    if (this.#announced || this.#inflight !== undefined) return this.#inflight ?? Promise.resolve(undefined);
    const ours = this.deps.graph.node(this.deps.node.nodeId);
    if (ours === undefined || ours.channels.size === 0) return Promise.resolve(undefined);
    // Once per run, refused or not: a refusal is logged, never retried on every graph change.
    this.#announced = true;
    this.#inflight = this.#announce(ours.announcement?.timestamp).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #announce(previous: number | undefined): Promise<GossipDecision> {
    const ann = ownNodeAnnouncement(this.deps.node, previous, this.deps.clock.now() / 1000);
    const d = await this.deps.submit(ann.raw);
    if (d.accepted) {
      this.deps.logger.info('our node_announcement published', { timestamp: ann.message.timestamp });
    } else {
      this.deps.logger.warn('our node_announcement was refused', { reason: d.reason, detail: d.detail });
    }
    return d;
  }
}
