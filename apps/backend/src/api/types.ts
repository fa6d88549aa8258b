import type { Address } from '@shoal/wire';

// Results carry bytes as Uint8Array and amounts as bigint (the core's types); the API layer turns
// them into Eclair's JSON (hex strings, numbers) at the edge. Field names are Eclair's.

/** Whether a feature is required or only supported (BOLT 9 even/odd bit). */
export type FeatureSupport = 'mandatory' | 'optional';

/** `getinfo` (Eclair's `GetInfoResponse`). */
export interface GetInfoResult {
  version: string;
  /** Our node id: 33-byte compressed public key. */
  nodeId: Uint8Array;
  alias: string;
  /** `#rrggbb`. */
  color: string;
  /** BOLT 9 feature names (e.g. `var_onion_optin`) activated in our `init`/`node_announcement`. */
  features: { activated: Record<string, FeatureSupport>; unknown?: number[] };
  /** BOLT 0 `chain_hash`, in wire byte order (regtest: `06226e46...`). */
  chainHash: Uint8Array;
  /** `mainnet`, `testnet`, `testnet4`, `signet` or `regtest`. */
  network: string;
  blockHeight: number;
  /** Announced addresses; rendered as `host:port` text (IPv6 in brackets). */
  publicAddresses: Address[];
  /** Changes at every restart (a UUID), so tools can notice one. */
  instanceId: string;
  /** Shoal: progress of our own initial gossip sync (BOLT 7 queries), after Eclair's fields. */
  gossipSync?: GossipSyncResult;
}

/** `getinfo`'s `gossipSync`: whether a sync runs, how many completed in this run, per peer. */
export interface GossipSyncResult {
  running: boolean;
  completed: number;
  peers: {
    nodeId: string;
    phase: string;
    listed: number;
    wanted: number;
    queriesDone: number;
    queriesTotal: number;
    incomplete: boolean;
  }[];
}

/** Eclair's peer states. */
export type PeerState = 'INSTANTIATING' | 'DISCONNECTED' | 'CONNECTED';

/** One entry of `peers` (Eclair's `PeerInfo` as serialised). */
export interface PeerResult {
  nodeId: Uint8Array;
  state: PeerState;
  /** The remote address of the live connection, when connected. */
  address?: Address;
  /** Number of channels with this peer. */
  channels: number;
  /** Shoal: mesh address of the frontend holding the connection, when there is one. */
  frontend?: string;
}

/** `connect`: `uri=nodeId@host:port`, or `nodeId` (+ `host`, `port`), or `nodeId` alone. */
export interface ConnectParams {
  nodeId: Uint8Array;
  /** Absent: connect to an address the node announced (BOLT 7 `node_announcement`). */
  address?: Address;
}

/** `disconnect`. */
export interface DisconnectParams {
  nodeId: Uint8Array;
}

/** Status of a cluster member (as the cluster package reports it). */
export type ClusterMemberStatus = 'joining' | 'up' | 'unreachable' | 'down' | 'removed';

/** One member in `cluster` (a Shoal addition, not an Eclair call). */
export interface ClusterMemberResult {
  /** Mesh address `host:port`. */
  address: string;
  /** `backend`, `frontend`. */
  roles: string[];
  status: ClusterMemberStatus;
  protocolVersion: number;
  /** Frontends: peer connections this member holds. */
  peers?: number;
  /** Backends: true for the active (leader) backend. */
  leader?: boolean;
}

/** `cluster`: the mesh as the backend sees it. */
export interface ClusterResult {
  /** Mesh address of the member answering. */
  self: string;
  members: ClusterMemberResult[];
  /**
   * The active backend (the one answering): its election id (`cluster.id`), fencing epoch
   * (decimal) and elector (`none` or `etcd`).
   */
  leader?: { id: string; epoch: string; elector: string; address: string };
}

/** States reported by `/v1/state`. */
export type NodeState = 'WAITING_TO_START' | 'STARTING' | 'RUNNING' | 'STOPPING';

/** `/v1/state`. */
export interface NodeStateResult {
  state: NodeState;
}

/** What every handler receives besides its parameters. */
export interface CallContext {
  /** Also in the server's log lines about this request. */
  readonly requestId: string;
  /** Aborted when the call times out (`timeoutSeconds`), the client goes away or the server stops. */
  readonly signal: AbortSignal;
}

/**
 * The calls the backend implements, one method per API call, with parsed and typed parameters.
 * Throw an {@link ApiError} (`API_NOT_FOUND`, `API_BAD_PARAM`, `API_UNAVAILABLE`) to answer a
 * client error; any other error is answered as a 500 with a logged error id.
 */
export interface ApiHandlers {
  getInfo(ctx: CallContext): Promise<GetInfoResult>;
  peers(ctx: CallContext): Promise<PeerResult[]>;
  /** Resolves to Eclair's message, e.g. `connected` or `already connected`. */
  connect(params: ConnectParams, ctx: CallContext): Promise<string>;
  /** Resolves to Eclair's message, e.g. `peer <nodeId> disconnecting`. */
  disconnect(params: DisconnectParams, ctx: CallContext): Promise<string>;
  cluster(ctx: CallContext): Promise<ClusterResult>;
  /** Only called while the API is not marked `WAITING_TO_START`. */
  state(ctx: CallContext): Promise<NodeStateResult>;
}
