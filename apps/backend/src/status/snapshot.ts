import { formatAddress } from '@shoal/wire';
import type { PeerResult } from '../api/index.js';

/** One cluster member as the status page shows it. */
export interface StatusMember {
  address: string;
  roles: string[];
  /** The mesh's view (`up`, `unreachable`, ...), or `removed` for a member that left recently. */
  status: string;
  protocolVersion: number;
  /** Backends only: whether this one leads (always this backend while there is no election). */
  leader?: boolean;
  /** Frontends only: connected peers held there. */
  peers?: number;
}

/** One peer as the status page shows it. */
export interface StatusPeer {
  nodeId: string;
  state: string;
  address?: string;
  frontend?: string;
}

/** What `GET /status/events` sends (`event: snapshot`): the cluster as it is now. */
export interface StatusSnapshot {
  /** ISO time the snapshot was taken. */
  at: string;
  /** Why it was sent: `connect`, `heartbeat`, a membership event kind, `peer-ready`, `peer-disconnected`. */
  reason: string;
  node: { nodeId: string; alias: string; network: string };
  self: string;
  members: StatusMember[];
  peers: StatusPeer[];
  chain: { height: number };
  /** Gossip does not exist yet: `null` means "not available yet". */
  gossip: { nodes: number; channels: number; syncProgress: number } | null;
  /** Channels: none until they are supported. */
  channels: { count: number; supported: boolean };
}

/** The data the backend already has, read at each snapshot. */
export interface StatusSource {
  nodeId: Uint8Array;
  alias: string;
  network: string;
  cluster(): { self: string; members: StatusMember[] };
  peers(): PeerResult[];
  blockHeight(): Promise<number>;
  /** The routing graph's size and our initial sync's progress (0 to 1); absent: not shown. */
  gossipStatus?(): { nodes: number; channels: number; syncProgress: number };
}

/** Turns the API's peer view into the page's (hex and text addresses at this edge). */
export function statusPeer(p: PeerResult): StatusPeer {
  const address = p.address === undefined ? undefined : formatAddress(p.address);
  return {
    nodeId: Buffer.from(p.nodeId).toString('hex'),
    state: p.state,
    ...(address === undefined ? {} : { address }),
    ...(p.frontend === undefined ? {} : { frontend: p.frontend }),
  };
}

/** Reads a full snapshot; `removed` lists members gone from the mesh recently, shown as `removed`. */
export async function takeSnapshot(
  source: StatusSource,
  reason: string,
  removed: ReadonlyMap<string, StatusMember>,
): Promise<StatusSnapshot> {
  const view = source.cluster();
  const present = new Set(view.members.map((m) => m.address));
  const gone = [...removed.values()].filter((m) => !present.has(m.address));
  return {
    at: new Date().toISOString(),
    reason,
    node: {
      nodeId: Buffer.from(source.nodeId).toString('hex'),
      alias: source.alias,
      network: source.network,
    },
    self: view.self,
    members: [...view.members, ...gone.map((m) => ({ ...m, status: 'removed' }))],
    peers: source.peers().map(statusPeer),
    chain: { height: await source.blockHeight() },
    gossip: source.gossipStatus?.() ?? null,
    channels: { count: 0, supported: false },
  };
}
