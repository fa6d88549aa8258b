import { type ActorRef, formatRef, type Message, sameRef } from '@shoal/cluster';
import type {
  ConnectionClosed,
  ConnectionReady,
  FrontProtocol,
  PeerAuthenticated,
  PeerMessage,
} from '@shoal/front-protocol';
import type { Logger } from '@shoal/log';
import { encodeMessage, messageGroup, messageName } from '@shoal/wire';
import { CHANNELS_UNSUPPORTED } from './constants.js';
import { errorMessage } from './errors.js';

/** What a {@link Peer} needs from the backend around it. */
export interface PeerHost {
  readonly proto: FrontProtocol;
  readonly logger: Logger;
  /** Our `init` features and chain hash, sent in `InitializeConnection`. */
  readonly features: Uint8Array;
  readonly chainHash: Uint8Array;
  /** Whether this peer's connection should run our initial gossip sync (BOLT 7 queries). */
  doSync?(nodeIdHex: string): boolean;
  /** Sends a mesh message; throws when the target cannot be reached. */
  tell(target: ActorRef, msg: Message, sender: ActorRef): boolean;
  /** The peer's connection is ready (BOLT 1 `init` exchanged). */
  peerReady(peer: Peer): void;
  /** The peer lost its connection (closed, replaced-and-closed, frontend gone, disconnect). */
  peerDisconnected(peer: Peer, reason: string): void;
  /** A Lightning message went to or came from the peer (for metrics). */
  message(type: number, direction: 'in' | 'out'): void;
  /** An outgoing connection (`requestId` of its `ConnectionRequest`) closed before it was ready. */
  requestAborted(requestId: bigint, reason: string): void;
}

/** The live connection of a peer, held by one frontend. */
interface Connection {
  readonly ref: ActorRef;
  readonly remoteAddress: string;
  readonly outgoing: boolean;
  readonly requestId: bigint;
  ready: boolean;
}

/** BOLT 2 messages whose `channel_id` follows a `chain_hash` (`open_channel`, `open_channel2`). */
const CHAIN_HASH_FIRST = new Set([32, 64]);

/**
 * The backend side of one remote node (DESIGN.md §4, flows 2, 5, 6): it holds at most one
 * connection, on any frontend; a newer connection replaces the older one, which is closed.
 * Its mesh actor (`ref`) receives `ConnectionReady`, `PeerMessage` and `ConnectionClosed`.
 */
export class Peer {
  private connection: Connection | undefined;
  private readonly log: Logger;
  /** Features of the peer's last `init` (BOLT 9), empty before the first. */
  remoteInit: Uint8Array = new Uint8Array(0);

  constructor(
    readonly nodeId: Uint8Array,
    readonly nodeIdHex: string,
    readonly ref: ActorRef,
    private readonly host: PeerHost,
  ) {
    this.log = host.logger.child({ peer: nodeIdHex });
  }

  /** Eclair's peer state: CONNECTED once `init` is exchanged. */
  get state(): 'CONNECTED' | 'DISCONNECTED' {
    return this.connection?.ready === true ? 'CONNECTED' : 'DISCONNECTED';
  }

  /** `host:port` of the live connection's remote end. */
  get remoteAddress(): string | undefined {
    return this.connection?.remoteAddress;
  }

  /** Mesh address of the frontend holding the connection (ready or not). */
  get frontend(): string | undefined {
    return this.connection?.ref.address;
  }

  /** Dispatches a message addressed to this peer's actor. */
  handle(msg: Message): void {
    const p = this.host.proto;
    if (p.connectionReady.is(msg)) this.onReady(msg.value);
    else if (p.peerMessage.is(msg)) this.onPeerMessage(msg.value);
    else if (p.connectionClosed.is(msg)) this.onClosed(msg.value);
    else if (p.peerAuthenticated.is(msg)) this.onAuthenticated(msg.value);
    else this.log.warn('unexpected message for a peer', { type: msg.type.name });
  }

  /** Flow 2: a (newer) connection authenticated; the older one, if any, is closed. */
  onAuthenticated(m: PeerAuthenticated): void {
    const old = this.connection;
    if (old !== undefined && !sameRef(old.ref, m.connection)) {
      this.log.info('connection replaced by a newer one', {
        old: formatRef(old.ref),
        new: formatRef(m.connection),
      });
      this.closeConnection(old.ref, 'replaced by a newer connection');
    }
    this.connection = {
      ref: m.connection,
      remoteAddress: m.remoteAddress,
      outgoing: m.outgoing,
      requestId: m.requestId,
      ready: false,
    };
    const init = this.host.proto.initializeConnection.of({
      peer: this.ref,
      features: this.host.features,
      chainHashes: [this.host.chainHash],
      doSync: this.host.doSync?.(this.nodeIdHex) ?? false,
    });
    try {
      this.host.tell(m.connection, init, this.ref);
    } catch (err) {
      this.lost(m.connection, `InitializeConnection not delivered: ${errorMessage(err)}`);
    }
  }

  private onReady(m: ConnectionReady): void {
    const c = this.connection;
    if (c === undefined || !sameRef(c.ref, m.connection)) {
      // A connection we replaced (or dropped) finished its init late: it must not live on.
      this.log.debug('ready from a connection that is not current', { connection: formatRef(m.connection) });
      this.closeConnection(m.connection, 'replaced by a newer connection');
      return;
    }
    c.ready = true;
    this.remoteInit = m.remoteInit;
    this.log.info('peer connected', {
      frontend: c.ref.address,
      remoteAddress: c.remoteAddress,
      outgoing: c.outgoing,
    });
    this.host.peerReady(this);
  }

  /** Flow 5: BOLT 2 messages we cannot handle yet are answered with a BOLT 1 `error`. */
  private onPeerMessage(m: PeerMessage): void {
    const c = this.connection;
    if (c === undefined || !sameRef(c.ref, m.connection)) return;
    const bytes = m.message;
    if (bytes.length < 2) return;
    const type = (bytes[0]! << 8) | bytes[1]!;
    this.host.message(type, 'in');
    const group = messageGroup(type);
    if (group === 'channel' || group === 'commitment') {
      const at = CHAIN_HASH_FIRST.has(type) ? 34 : 2;
      if (bytes.length < at + 32) return;
      const channelId = bytes.slice(at, at + 32);
      this.log.info('channel message refused', { type: messageName(type) ?? type });
      this.send([
        encodeMessage({
          type: 'error',
          channelId,
          data: new TextEncoder().encode(CHANNELS_UNSUPPORTED),
          tlvs: { unknown: [] },
        }),
      ]);
    } else if (type === 17 || type === 1) {
      this.log.info(type === 17 ? 'error from peer' : 'warning from peer', { bytes: bytes.length });
    } else {
      this.log.debug('message from peer ignored', { type });
    }
  }

  /** Flow 6: only the current connection closing disconnects the peer. */
  private onClosed(m: ConnectionClosed): void {
    this.lost(m.connection, m.reason);
  }

  /** Marks the peer disconnected when `ref` is its current connection. */
  lost(ref: ActorRef, reason: string): void {
    const c = this.connection;
    if (c === undefined || !sameRef(c.ref, ref)) return;
    this.connection = undefined;
    if (!c.ready && c.requestId !== 0n) this.host.requestAborted(c.requestId, reason);
    this.log.info('peer disconnected', { frontend: ref.address, reason });
    this.host.peerDisconnected(this, reason);
  }

  /** Flow 7: the frontend (this incarnation of it) is gone; its connection is down at once. */
  frontendDown(address: string, incarnation: bigint, reason: string): boolean {
    const c = this.connection;
    if (c === undefined || c.ref.address !== address || c.ref.incarnation !== incarnation) return false;
    this.lost(c.ref, reason);
    return true;
  }

  /** API `disconnect`: closes the connection (if any) and marks the peer disconnected. */
  disconnect(reason: string): void {
    const c = this.connection;
    if (c === undefined) return;
    this.closeConnection(c.ref, reason);
    this.lost(c.ref, reason);
  }

  /** Writes messages to the peer in order (flow 5). */
  send(messages: Uint8Array[]): void {
    const c = this.connection;
    if (c === undefined) return;
    try {
      this.host.tell(c.ref, this.host.proto.sendToPeer.of({ messages }), this.ref);
      for (const m of messages) if (m.length >= 2) this.host.message((m[0]! << 8) | m[1]!, 'out');
    } catch (err) {
      this.lost(c.ref, `frontend unreachable: ${errorMessage(err)}`);
    }
  }

  private closeConnection(ref: ActorRef, reason: string): void {
    try {
      this.host.tell(ref, this.host.proto.closeConnection.of({ reason, messages: [] }), this.ref);
    } catch (err) {
      // The frontend is already gone: the connection died with it.
      this.log.debug('CloseConnection not delivered', {
        connection: formatRef(ref),
        error: errorMessage(err),
      });
    }
  }
}
