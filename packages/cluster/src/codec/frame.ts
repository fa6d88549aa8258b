import { ClusterError } from '../errors.js';
import type { ActorRef } from '../types.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { readRef, writeRef } from './ref.js';

/** Frame kinds on a mesh link (first byte of every WebSocket binary message). */
export const FrameKind = {
  hello: 1,
  welcome: 2,
  refuse: 3,
  ping: 4,
  pong: 5,
  gossip: 6,
  registry: 7,
  message: 8,
  /** The sender is stopping on purpose: remove it now rather than after `downAfterMs`. */
  leave: 9,
} as const;

/** Where a user message goes on the receiving member. */
export const TargetMode = { actor: 0, path: 1, topic: 2 } as const;
export type TargetModeValue = (typeof TargetMode)[keyof typeof TargetMode];

/** Identity exchanged in hello/welcome and gossip. */
export interface PeerIdentity {
  address: string;
  incarnation: bigint;
  roles: string[];
  protocolVersion: number;
}

/** Registry replication operations; the owner of an entry is always the member that sends it. */
export type RegistryOp =
  | { op: 'snapshot'; paths: string[]; topics: string[] }
  | { op: 'put' | 'remove'; path: string }
  | { op: 'subscribe' | 'unsubscribe'; topic: string };

/** A decoded user-message frame; the payload is decoded later by the codec registry. */
export interface MessageFrame {
  mode: TargetModeValue;
  typeId: number;
  target: string;
  sender: ActorRef | undefined;
  payload: Buffer;
}

/** Control frames carry small JSON bodies (bigints as decimal strings); they are rare. */
export function encodeControl(kind: number, body: unknown): Buffer {
  const json = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const b = Buffer.from(json, 'utf8');
  const out = Buffer.allocUnsafe(1 + b.length);
  out[0] = kind;
  b.copy(out, 1);
  return out;
}

/** Parses a control frame's JSON body. */
export function decodeControl(frame: Buffer): unknown {
  try {
    return JSON.parse(frame.subarray(1).toString('utf8'));
  } catch {
    throw new ClusterError('CLUSTER_BAD_FRAME', 'control frame is not JSON', { kind: frame[0] ?? -1 });
  }
}

/** Validates a hello/welcome/gossip identity. */
export function parseIdentity(x: unknown): PeerIdentity {
  const o = x as Record<string, unknown> | null;
  if (
    o === null ||
    typeof o !== 'object' ||
    typeof o.address !== 'string' ||
    typeof o.incarnation !== 'string' ||
    !/^[0-9]{1,20}$/.test(o.incarnation) ||
    !Array.isArray(o.roles) ||
    !o.roles.every((r) => typeof r === 'string') ||
    typeof o.protocolVersion !== 'number'
  ) {
    throw new ClusterError('CLUSTER_BAD_FRAME', 'malformed member identity');
  }
  return {
    address: o.address,
    incarnation: BigInt(o.incarnation),
    roles: o.roles as string[],
    protocolVersion: o.protocolVersion,
  };
}

/** Validates a registry operation. */
export function parseRegistryOp(x: unknown): RegistryOp {
  const o = x as Record<string, unknown> | null;
  const strings = (a: unknown): a is string[] => Array.isArray(a) && a.every((s) => typeof s === 'string');
  if (o !== null && typeof o === 'object') {
    if (o.op === 'snapshot' && strings(o.paths) && strings(o.topics)) {
      return { op: 'snapshot', paths: o.paths, topics: o.topics };
    }
    if ((o.op === 'put' || o.op === 'remove') && typeof o.path === 'string')
      return { op: o.op, path: o.path };
    if ((o.op === 'subscribe' || o.op === 'unsubscribe') && typeof o.topic === 'string') {
      return { op: o.op, topic: o.topic };
    }
  }
  throw new ClusterError('CLUSTER_BAD_FRAME', 'malformed registry operation');
}

/** `message` frame: kind, mode u8, type id u16, target string, sender flag u8 [+ ref], payload. */
export function encodeMessageFrame(
  mode: TargetModeValue,
  typeId: number,
  target: string,
  sender: ActorRef | undefined,
  payload: Uint8Array,
): Buffer {
  const w = new ByteWriter(payload.length + target.length * 3 + 96);
  w.u8(FrameKind.message).u8(mode).u16(typeId).str(target);
  if (sender === undefined) w.u8(0);
  else {
    w.u8(1);
    writeRef(w, sender);
  }
  return w.bytes(payload).finish();
}

/** Decodes a `message` frame (without decoding its payload). */
export function decodeMessageFrame(frame: Buffer): MessageFrame {
  const r = new ByteReader(frame);
  r.u8();
  const mode = r.u8();
  if (mode !== TargetMode.actor && mode !== TargetMode.path && mode !== TargetMode.topic) {
    throw new ClusterError('CLUSTER_BAD_FRAME', `unknown target mode ${mode}`);
  }
  const typeId = r.u16();
  const target = r.str();
  const flag = r.u8();
  if (flag > 1) throw new ClusterError('CLUSTER_BAD_FRAME', `bad sender flag ${flag}`);
  const sender = flag === 1 ? readRef(r) : undefined;
  return { mode, typeId, target, sender, payload: r.rest() };
}

/** `ping`/`pong` frame: kind + u64 (the sender's monotonic clock in ns). */
export function encodePing(kind: typeof FrameKind.ping | typeof FrameKind.pong, t: bigint): Buffer {
  return new ByteWriter(9).u8(kind).u64(t).finish();
}

export function decodePing(frame: Buffer): bigint {
  const r = new ByteReader(frame);
  r.u8();
  const t = r.u64();
  r.end();
  return t;
}
