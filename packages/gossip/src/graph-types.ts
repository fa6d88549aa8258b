import type { Address } from '@shoal/wire';

/** The latest `channel_update` of one direction, decoded, with its bytes. */
export interface UpdateInfo {
  raw: Uint8Array;
  timestamp: number;
  messageFlags: number;
  channelFlags: number;
  cltvExpiryDelta: number;
  htlcMinimumMsat: bigint;
  htlcMaximumMsat: bigint;
  feeBaseMsat: number;
  feeProportionalMillionths: number;
  /** BOLT 7 `channel_update` checksum (CRC32C), precomputed for `reply_channel_range`. */
  checksum: number;
}

/** A public channel of the graph. */
export interface ChannelInfo {
  scid: bigint;
  /** The `channel_announcement` bytes. */
  announcement: Uint8Array;
  nodeId1: Uint8Array;
  nodeId2: Uint8Array;
  features: Uint8Array;
  capacitySat: bigint;
  /** False when `features` holds unknown even bits (BOLT 7: "MUST NOT attempt to route"). */
  routable: boolean;
  /** Index 0: update from `node_id_1` (direction 0); index 1: from `node_id_2`. */
  updates: [UpdateInfo | undefined, UpdateInfo | undefined];
  /** Height of the block that spent the funding output, if spent. */
  spentAtHeight?: number;
  /** When the channel entered this graph (ms): stands in for a missing update when pruning. */
  addedAt: number;
}

/** The latest `node_announcement` of a node, decoded, with its bytes. */
export interface NodeAnnouncementInfo {
  raw: Uint8Array;
  timestamp: number;
  features: Uint8Array;
  rgbColor: Uint8Array;
  alias: Uint8Array;
  /** All descriptors as decoded, unknown types included (kept raw). */
  addresses: Address[];
  /** False when `features` holds unknown even bits (BOLT 7: not to be routed through or connected to). */
  routable: boolean;
}

/** A node of the graph: known from at least one channel, optionally announced. */
export interface NodeInfo {
  nodeId: Uint8Array;
  announcement?: NodeAnnouncementInfo;
  channels: Set<bigint>;
}

/** A `networkstats`-like summary. */
export interface GraphStats {
  nodes: number;
  announcedNodes: number;
  channels: number;
  spentChannels: number;
  updates: number;
  capacitySat: bigint;
}
