import {
  type ActorRef,
  ByteReader,
  ByteWriter,
  ClusterError,
  type CodecRegistry,
  type MessageType,
  readRef,
  writeRef,
} from '@shoal/cluster';
import { type GossipProtocol, registerGossipMessages } from './gossip.js';

/** Mesh paths of the actors the frontends and the backend address each other by (DESIGN.md §3). */
export const PATHS = {
  switchboard: '/backend/switchboard',
  clientSpawner: '/frontend/client-spawner',
  /** The backend gossip `Router` (validation, canonical graph, snapshots). */
  router: '/backend/router',
  /** Each frontend's gossip router (graph copy, queries, rebroadcast). */
  frontRouter: '/frontend/router',
} as const;

/**
 * Version of the mesh protocol spoken by the frontends and the backend (the cluster's version gate):
 * members with another version are refused. Bump it with any change to these messages' ids or codecs.
 */
export const MESH_PROTOCOL_VERSION = 3;

/** First type id of this protocol; ids are part of the mesh protocol version. */
const BASE = 0x0100;

/** A frontend finished a BOLT 8 handshake: the connection actor asks the backend `Switchboard` for a `Peer`. */
export interface PeerAuthenticated {
  connection: ActorRef;
  nodeId: Uint8Array;
  /** `host:port` of the remote end as the frontend sees it. */
  remoteAddress: string;
  outgoing: boolean;
  /** The `ConnectionRequest` this answers (outgoing), 0n for incoming connections. */
  requestId: bigint;
}

/** The backend `Peer` tells the connection which `init` to send (BOLT 1) and whether to sync gossip. */
export interface InitializeConnection {
  peer: ActorRef;
  /** Our `init` features (BOLT 9 feature bits, big-endian bytes). */
  features: Uint8Array;
  /** Our `networks` TLV: chain hashes. */
  chainHashes: Uint8Array[];
  doSync: boolean;
}

/** `init` exchanged and accepted: the connection is ready for BOLT 2 traffic. */
export interface ConnectionReady {
  connection: ActorRef;
  nodeId: Uint8Array;
  /** The peer's raw `init` message (type included). */
  remoteInit: Uint8Array;
}

/** A Lightning message from the peer that the frontend does not handle itself (BOLT 2, warnings, errors...). */
export interface PeerMessage {
  connection: ActorRef;
  /** The raw message, type included. */
  message: Uint8Array;
}

/** Lightning messages for the connection to write to the peer, in order. */
export interface SendToPeer {
  messages: Uint8Array[];
}

/** Close the connection, after writing `messages` (e.g. an `error`) if any. */
export interface CloseConnection {
  reason: string;
  messages: Uint8Array[];
}

/** The connection is gone (peer closed, error, replaced, frontend stopping). */
export interface ConnectionClosed {
  connection: ActorRef;
  nodeId: Uint8Array;
  reason: string;
}

/** The backend asks one frontend to dial a peer; the result is a `PeerAuthenticated` or a `ConnectionFailed`. */
export interface ConnectionRequest {
  requestId: bigint;
  nodeId: Uint8Array;
  host: string;
  port: number;
  replyTo: ActorRef;
}

/** A frontend could not dial the peer named in a `ConnectionRequest`. */
export interface ConnectionFailed {
  requestId: bigint;
  nodeId: Uint8Array;
  reason: string;
}

export interface FrontProtocol extends GossipProtocol {
  peerAuthenticated: MessageType<PeerAuthenticated>;
  initializeConnection: MessageType<InitializeConnection>;
  connectionReady: MessageType<ConnectionReady>;
  peerMessage: MessageType<PeerMessage>;
  sendToPeer: MessageType<SendToPeer>;
  closeConnection: MessageType<CloseConnection>;
  connectionClosed: MessageType<ConnectionClosed>;
  connectionRequest: MessageType<ConnectionRequest>;
  connectionFailed: MessageType<ConnectionFailed>;
}

const NODE_ID_LENGTH = 33;

function writeNodeId(w: ByteWriter, nodeId: Uint8Array): ByteWriter {
  if (nodeId.length !== NODE_ID_LENGTH) {
    throw new ClusterError('CLUSTER_CODEC', `node id must be ${NODE_ID_LENGTH} bytes, got ${nodeId.length}`);
  }
  return w.bytes(nodeId);
}

function writeList(w: ByteWriter, items: Uint8Array[]): void {
  w.u16(items.length);
  for (const m of items) w.varBytes16(m);
}

function readList(r: ByteReader): Buffer[] {
  const n = r.u16();
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push(r.varBytes16());
  return out;
}

function encoder<T>(write: (w: ByteWriter, v: T) => void): (v: T) => Uint8Array {
  return (v) => {
    const w = new ByteWriter(128);
    write(w, v);
    return w.finish();
  };
}

function decoder<T>(read: (r: ByteReader) => T): (b: Uint8Array) => T {
  return (b) => {
    const r = new ByteReader(b);
    const v = read(r);
    r.end();
    return v;
  };
}

/** Registers the front/back messages on a member's codec registry (every member, same ids). */
export function registerFrontProtocol(registry: CodecRegistry): FrontProtocol {
  let id = BASE;
  const reg = <T>(name: string, write: (w: ByteWriter, v: T) => void, read: (r: ByteReader) => T) =>
    registry.register<T>(id++, name, encoder(write), decoder(read));
  return {
    peerAuthenticated: reg<PeerAuthenticated>(
      'PeerAuthenticated',
      (w, v) => {
        writeRef(w, v.connection);
        writeNodeId(w, v.nodeId)
          .str(v.remoteAddress)
          .u8(v.outgoing ? 1 : 0)
          .u64(v.requestId);
      },
      (r) => ({
        connection: readRef(r),
        nodeId: r.bytes(NODE_ID_LENGTH),
        remoteAddress: r.str(),
        outgoing: r.u8() === 1,
        requestId: r.u64(),
      }),
    ),
    initializeConnection: reg<InitializeConnection>(
      'InitializeConnection',
      (w, v) => {
        writeRef(w, v.peer);
        w.varBytes16(v.features);
        writeList(w, v.chainHashes);
        w.u8(v.doSync ? 1 : 0);
      },
      (r) => ({ peer: readRef(r), features: r.varBytes16(), chainHashes: readList(r), doSync: r.u8() === 1 }),
    ),
    connectionReady: reg<ConnectionReady>(
      'ConnectionReady',
      (w, v) => {
        writeRef(w, v.connection);
        writeNodeId(w, v.nodeId).varBytes16(v.remoteInit);
      },
      (r) => ({ connection: readRef(r), nodeId: r.bytes(NODE_ID_LENGTH), remoteInit: r.varBytes16() }),
    ),
    peerMessage: reg<PeerMessage>(
      'PeerMessage',
      (w, v) => {
        writeRef(w, v.connection);
        w.varBytes16(v.message);
      },
      (r) => ({ connection: readRef(r), message: r.varBytes16() }),
    ),
    sendToPeer: reg<SendToPeer>(
      'SendToPeer',
      (w, v) => writeList(w, v.messages),
      (r) => ({ messages: readList(r) }),
    ),
    closeConnection: reg<CloseConnection>(
      'CloseConnection',
      (w, v) => {
        w.str(v.reason);
        writeList(w, v.messages);
      },
      (r) => ({ reason: r.str(), messages: readList(r) }),
    ),
    connectionClosed: reg<ConnectionClosed>(
      'ConnectionClosed',
      (w, v) => {
        writeRef(w, v.connection);
        writeNodeId(w, v.nodeId).str(v.reason);
      },
      (r) => ({ connection: readRef(r), nodeId: r.bytes(NODE_ID_LENGTH), reason: r.str() }),
    ),
    connectionRequest: reg<ConnectionRequest>(
      'ConnectionRequest',
      (w, v) => {
        writeNodeId(w.u64(v.requestId), v.nodeId).str(v.host).u16(v.port);
        writeRef(w, v.replyTo);
      },
      (r) => ({
        requestId: r.u64(),
        nodeId: r.bytes(NODE_ID_LENGTH),
        host: r.str(),
        port: r.u16(),
        replyTo: readRef(r),
      }),
    ),
    connectionFailed: reg<ConnectionFailed>(
      'ConnectionFailed',
      (w, v) => {
        writeNodeId(w.u64(v.requestId), v.nodeId).str(v.reason);
      },
      (r) => ({ requestId: r.u64(), nodeId: r.bytes(NODE_ID_LENGTH), reason: r.str() }),
    ),
    ...registerGossipMessages(reg),
  };
}
