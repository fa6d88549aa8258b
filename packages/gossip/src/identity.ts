import { CHANNEL_FLAG_DIRECTION } from './constants.js';
import type { Gossip } from './precheck.js';
import { nodeKey } from './util.js';

/** What a gossip message is about, independent of its version (`id`), and its version. */
export interface GossipIdentity {
  kind: Gossip['kind'];
  /** Same for every version: `ca:<scid>`, `cu:<scid>:<direction>`, `na:<node id>`. */
  id: string;
  /** `channel_announcement` has none: 0. */
  timestamp: number;
  scid?: bigint;
}

/** The identity of a decoded gossip message. */
export function gossipIdentity(g: Gossip): GossipIdentity {
  switch (g.kind) {
    case 'channel_announcement':
      return {
        kind: g.kind,
        id: `ca:${g.message.shortChannelId}`,
        timestamp: 0,
        scid: g.message.shortChannelId,
      };
    case 'channel_update': {
      const m = g.message;
      const dir = m.channelFlags & CHANNEL_FLAG_DIRECTION;
      return {
        kind: g.kind,
        id: `cu:${m.shortChannelId}:${dir}`,
        timestamp: m.timestamp,
        scid: m.shortChannelId,
      };
    }
    case 'node_announcement':
      return { kind: g.kind, id: `na:${nodeKey(g.message.nodeId)}`, timestamp: g.message.timestamp };
  }
}
