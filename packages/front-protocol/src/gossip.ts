import {
  type ActorRef,
  type ByteReader,
  type ByteWriter,
  ClusterError,
  type MessageType,
  readRef,
  writeRef,
} from '@shoal/cluster';
import type { GraphDelta } from '@shoal/gossip';

/**
 * Gossip between the frontend routers and the backend `Router` (DESIGN.md §4 "Gossip in",
 * "Routing table on frontends"). Gossip messages travel as their raw BOLT 7 bytes (type included).
 */

/** Mesh topic the backend `Router` publishes {@link GraphDeltas} on. */
export const GOSSIP_DELTAS_TOPIC = 'gossip-deltas';

/** A frontend router forwards one new gossip message to the backend `Router` for a decision. */
export interface GossipIn {
  /** Chosen by the frontend; echoed in the {@link GossipVerdict}. */
  id: bigint;
  replyTo: ActorRef;
  /** The frontend already verified the signatures (BOLT 7 receiver rules) with the graph it holds. */
  signaturesChecked: boolean;
  /** The raw `channel_announcement`, `channel_update` or `node_announcement`. */
  message: Uint8Array;
}

/** The backend `Router`'s decision on a {@link GossipIn}. */
export interface GossipVerdict {
  id: bigint;
  accepted: boolean;
  /** Empty when accepted; otherwise a `RejectReason` of `@shoal/gossip`. */
  reason: string;
  detail: string;
}

/** One message of a {@link GossipInBatch}: a {@link GossipIn} without its `replyTo`. */
export interface GossipInItem {
  id: bigint;
  signaturesChecked: boolean;
  /**
   * For a checked `channel_update`: the node id its signature was checked against (the frontend's
   * graph copy, or an announcement of the channel still in flight). The backend trusts the check
   * only when the channel it holds has this node id for the update's direction (BOLT 7: "signed
   * by `node_id_1` or `node_id_2` according to `direction`"). Empty otherwise.
   */
  signer: Uint8Array;
  message: Uint8Array;
}

/**
 * Several {@link GossipIn} at once (a frontend coalesces what it forwards in one turn of its event
 * loop): the backend decides each as if it came alone and answers with {@link GossipVerdictBatch}es.
 */
export interface GossipInBatch {
  replyTo: ActorRef;
  items: GossipInItem[];
}

/** Verdicts on items of {@link GossipInBatch}es, coalesced per turn of the backend's event loop. */
export interface GossipVerdictBatch {
  items: GossipVerdict[];
}

/** A frontend router asks for the whole graph (on start, and after a gap in the deltas). */
export interface GraphSubscribe {
  replyTo: ActorRef;
}

/** One batch of a graph snapshot streamed to one frontend, in order. */
export interface GraphSnapshot {
  /** Identifies the stream (a frontend drops batches of an older one). */
  snapshotId: bigint;
  /** The delta batch sequence number the snapshot reflects. */
  seq: bigint;
  /** Position of this batch in the stream, from 0. */
  index: number;
  /** True on the stream's final batch (which may be empty). */
  last: boolean;
  deltas: GraphDelta[];
}

/** One committed batch of changes to the canonical graph, published on {@link GOSSIP_DELTAS_TOPIC}. */
export interface GraphDeltas {
  /** Consecutive from 1 for one backend run; a frontend that sees a gap re-subscribes. */
  seq: bigint;
  /** Identifies the backend run (its start time in ms): a new one restarts `seq`. */
  generation: bigint;
  deltas: GraphDelta[];
}

/** Progress of our own initial gossip sync with one peer (run by the frontend holding it). */
export interface GossipSyncReport {
  nodeId: Uint8Array;
  phase: 'range' | 'ids' | 'done' | 'failed';
  listed: number;
  wanted: number;
  queriesDone: number;
  queriesTotal: number;
  incomplete: boolean;
}

export interface GossipProtocol {
  gossipIn: MessageType<GossipIn>;
  gossipVerdict: MessageType<GossipVerdict>;
  graphSubscribe: MessageType<GraphSubscribe>;
  graphSnapshot: MessageType<GraphSnapshot>;
  graphDeltas: MessageType<GraphDeltas>;
  gossipSyncReport: MessageType<GossipSyncReport>;
  gossipInBatch: MessageType<GossipInBatch>;
  gossipVerdictBatch: MessageType<GossipVerdictBatch>;
}

const DELTA_KINDS = [
  'channel_added',
  'channel_updated',
  'channel_spent',
  'channel_removed',
  'node_added',
  'node_updated',
  'node_removed',
] as const;
const REMOVAL_REASONS = ['spent', 'stale', 'blacklisted'] as const;
const SYNC_PHASES = ['range', 'ids', 'done', 'failed'] as const;
const NODE_ID_LENGTH = 33;

function indexOf<T extends string>(list: readonly T[], v: T): number {
  const i = list.indexOf(v);
  if (i < 0) throw new ClusterError('CLUSTER_CODEC', `cannot encode ${v}`);
  return i;
}

function pick<T>(list: readonly T[], i: number, what: string): T {
  const v = list[i];
  if (v === undefined) throw new ClusterError('CLUSTER_CODEC', `unknown ${what} ${i}`);
  return v;
}

function writeNodeId(w: ByteWriter, nodeId: Uint8Array): void {
  if (nodeId.length !== NODE_ID_LENGTH) {
    throw new ClusterError('CLUSTER_CODEC', `node id must be ${NODE_ID_LENGTH} bytes, got ${nodeId.length}`);
  }
  w.bytes(nodeId);
}

/** Writes a list of graph deltas (u32 count, then each as kind byte + fields). */
export function writeDeltas(w: ByteWriter, deltas: readonly GraphDelta[]): void {
  w.u32(deltas.length);
  for (const d of deltas) {
    w.u8(indexOf(DELTA_KINDS, d.kind));
    switch (d.kind) {
      case 'channel_added':
        w.u64(d.scid).u64(d.capacitySat).varBytes16(d.announcement);
        break;
      case 'channel_updated':
        w.u64(d.scid).u8(d.direction).varBytes16(d.update);
        break;
      case 'channel_spent':
        w.u64(d.scid).u32(d.height);
        break;
      case 'channel_removed':
        w.u64(d.scid).u8(indexOf(REMOVAL_REASONS, d.reason));
        break;
      case 'node_added':
      case 'node_removed':
        writeNodeId(w, d.nodeId);
        break;
      case 'node_updated':
        writeNodeId(w, d.nodeId);
        w.varBytes16(d.announcement);
        break;
    }
  }
}

/** Reads what {@link writeDeltas} wrote. */
export function readDeltas(r: ByteReader): GraphDelta[] {
  const n = r.u32();
  const out: GraphDelta[] = [];
  for (let i = 0; i < n; i++) {
    const kind = pick(DELTA_KINDS, r.u8(), 'graph delta kind');
    switch (kind) {
      case 'channel_added': {
        const scid = r.u64();
        const capacitySat = r.u64();
        out.push({ kind, scid, capacitySat, announcement: r.varBytes16() });
        break;
      }
      case 'channel_updated': {
        const scid = r.u64();
        const direction = r.u8();
        if (direction !== 0 && direction !== 1)
          throw new ClusterError('CLUSTER_CODEC', `bad direction ${direction}`);
        out.push({ kind, scid, direction, update: r.varBytes16() });
        break;
      }
      case 'channel_spent':
        out.push({ kind, scid: r.u64(), height: r.u32() });
        break;
      case 'channel_removed':
        out.push({ kind, scid: r.u64(), reason: pick(REMOVAL_REASONS, r.u8(), 'removal reason') });
        break;
      case 'node_added':
      case 'node_removed':
        out.push({ kind, nodeId: r.bytes(NODE_ID_LENGTH) });
        break;
      case 'node_updated': {
        const nodeId = r.bytes(NODE_ID_LENGTH);
        out.push({ kind, nodeId, announcement: r.varBytes16() });
        break;
      }
    }
  }
  return out;
}

function writeVerdict(w: ByteWriter, v: GossipVerdict): void {
  w.u64(v.id)
    .u8(v.accepted ? 1 : 0)
    .str(v.reason)
    .str(v.detail);
}

function readVerdict(r: ByteReader): GossipVerdict {
  return { id: r.u64(), accepted: r.u8() === 1, reason: r.str(), detail: r.str() };
}

function readSigner(r: ByteReader): Uint8Array {
  const n = r.u8();
  if (n !== 0 && n !== NODE_ID_LENGTH) throw new ClusterError('CLUSTER_CODEC', `bad signer length ${n}`);
  return r.bytes(n);
}

type Reg = <T>(
  name: string,
  write: (w: ByteWriter, v: T) => void,
  read: (r: ByteReader) => T,
) => MessageType<T>;

/** Registers the gossip messages with `reg` (ids follow the front/back ones). */
export function registerGossipMessages(reg: Reg): GossipProtocol {
  return {
    gossipIn: reg<GossipIn>(
      'GossipIn',
      (w, v) => {
        w.u64(v.id);
        writeRef(w, v.replyTo);
        w.u8(v.signaturesChecked ? 1 : 0).varBytes16(v.message);
      },
      (r) => ({ id: r.u64(), replyTo: readRef(r), signaturesChecked: r.u8() === 1, message: r.varBytes16() }),
    ),
    gossipVerdict: reg<GossipVerdict>('GossipVerdict', writeVerdict, readVerdict),
    graphSubscribe: reg<GraphSubscribe>(
      'GraphSubscribe',
      (w, v) => writeRef(w, v.replyTo),
      (r) => ({ replyTo: readRef(r) }),
    ),
    graphSnapshot: reg<GraphSnapshot>(
      'GraphSnapshot',
      (w, v) => {
        w.u64(v.snapshotId)
          .u64(v.seq)
          .u32(v.index)
          .u8(v.last ? 1 : 0);
        writeDeltas(w, v.deltas);
      },
      (r) => ({
        snapshotId: r.u64(),
        seq: r.u64(),
        index: r.u32(),
        last: r.u8() === 1,
        deltas: readDeltas(r),
      }),
    ),
    graphDeltas: reg<GraphDeltas>(
      'GraphDeltas',
      (w, v) => {
        w.u64(v.seq).u64(v.generation);
        writeDeltas(w, v.deltas);
      },
      (r) => ({ seq: r.u64(), generation: r.u64(), deltas: readDeltas(r) }),
    ),
    gossipSyncReport: reg<GossipSyncReport>(
      'GossipSyncReport',
      (w, v) => {
        writeNodeId(w, v.nodeId);
        w.u8(indexOf(SYNC_PHASES, v.phase))
          .u32(v.listed)
          .u32(v.wanted)
          .u32(v.queriesDone)
          .u32(v.queriesTotal);
        w.u8(v.incomplete ? 1 : 0);
      },
      (r) => ({
        nodeId: r.bytes(NODE_ID_LENGTH),
        phase: pick(SYNC_PHASES, r.u8(), 'sync phase'),
        listed: r.u32(),
        wanted: r.u32(),
        queriesDone: r.u32(),
        queriesTotal: r.u32(),
        incomplete: r.u8() === 1,
      }),
    ),
    // Added after the contract's messages (ids are positional): batches of the two above.
    gossipInBatch: reg<GossipInBatch>(
      'GossipInBatch',
      (w, v) => {
        writeRef(w, v.replyTo);
        w.u32(v.items.length);
        for (const it of v.items) {
          w.u64(it.id).u8(it.signaturesChecked ? 1 : 0);
          if (it.signer.length !== 0) writeNodeId(w.u8(NODE_ID_LENGTH), it.signer);
          else w.u8(0);
          w.varBytes16(it.message);
        }
      },
      (r) => {
        const replyTo = readRef(r);
        const n = r.u32();
        const items: GossipInItem[] = [];
        for (let i = 0; i < n; i++) {
          items.push({
            id: r.u64(),
            signaturesChecked: r.u8() === 1,
            signer: readSigner(r),
            message: r.varBytes16(),
          });
        }
        return { replyTo, items };
      },
    ),
    gossipVerdictBatch: reg<GossipVerdictBatch>(
      'GossipVerdictBatch',
      (w, v) => {
        w.u32(v.items.length);
        for (const it of v.items) writeVerdict(w, it);
      },
      (r) => {
        const n = r.u32();
        const items: GossipVerdict[] = [];
        for (let i = 0; i < n; i++) items.push(readVerdict(r));
        return { items };
      },
    ),
  };
}
