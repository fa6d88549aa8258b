import type { ActorRef, ClusterMember, Message } from '@shoal/cluster';
import type { FrontProtocol, InitializeConnection } from '@shoal/front-protocol';
import { PATHS } from '@shoal/front-protocol';
import type { Logger } from '@shoal/log';
import type { NoiseSocket } from '@shoal/noise';
import {
  decodeMessage,
  encodeMessage,
  Features,
  type InitMessage,
  messageName,
  type PingMessage,
  type PongMessage,
  pongLengthFor,
  unknownMessageAction,
} from '@shoal/wire';
import { errorMessage } from './errors.js';
import { buildInit, checkRemoteInit, type RemoteEndpoint } from './init-rules.js';
import type { ConnectionState, FrontendMetrics } from './metrics.js';
import type { RouterPeer } from './router/types.js';

/** Timers of a peer connection, in milliseconds (`peer-connection.*` in the config). */
export interface PeerConnectionTimeouts {
  initTimeoutMs: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

/** The gossip router as a connection sees it (issue 6): ready connections attach to it. */
export interface GossipRouterPort {
  attach(peer: RouterPeer): void;
  detach(peerId: string): void;
  /** Whether the router takes this BOLT message type. */
  handles(type: number): boolean;
  onPeerMessage(peerId: string, raw: Uint8Array): void;
}

/** What a {@link PeerConnection} needs from the frontend that owns it. */
export interface ConnectionHost {
  readonly member: ClusterMember;
  readonly proto: FrontProtocol;
  readonly logger: Logger;
  readonly metrics: FrontendMetrics;
  readonly timeouts: PeerConnectionTimeouts;
  /** The gossip router; without one, gossip is dropped. */
  readonly router?: GossipRouterPort;
  /** Calls `resume` once the mesh link to `address` drains (back-pressure). */
  whenDrained(address: string, resume: () => void): void;
  /** The connection is gone; forget it. */
  closed(conn: PeerConnection): void;
}

/** How the connection came to be. */
export interface ConnectionOrigin {
  outgoing: boolean;
  /** The backend's `ConnectionRequest` id (outgoing), 0n otherwise. */
  requestId: bigint;
  remote: RemoteEndpoint;
}

/** Close options: messages to write first, and whether to tell the backend. */
export interface CloseOptions {
  messages?: readonly Uint8Array[];
  notifyBackend?: boolean;
}

const PING_TYPE = 18;
const PONG_TYPE = 19;
const INIT_TYPE = 16;
/** BOLT 7 gossip and gossip-query types that stay on the frontend (issue 6 handles them). */
const GOSSIP_FIRST = 256;
const GOSSIP_LAST = 265;
/** BOLT 7 `announcement_signatures` is about one of our channels: it goes to the backend. */
const ANNOUNCEMENT_SIGNATURES_TYPE = 259;
/** Bytes we ask for in our pings: small, but enough to check the pong matches. */
const OUR_PONG_BYTES = 8;
/** How long a closing connection may take to flush before it is destroyed. */
const CLOSE_GRACE_MS = 2000;
const ZERO_CHANNEL_ID = new Uint8Array(32);

let nextId = 0;

/**
 * One BOLT 8 connection and its actor on the mesh (flows 1, 3-6 of the front/back contract):
 * `PeerAuthenticated` to the `Switchboard`, the BOLT 1 `init` exchange and checks, ping/pong, and
 * forwarding to the backend `Peer` with back-pressure.
 */
export class PeerConnection {
  readonly nodeId: Buffer;
  readonly ref: ActorRef;
  private state: ConnectionState | 'closed' = 'init';
  private peerRef: ActorRef | undefined;
  private init: InitializeConnection | undefined;
  private remoteInit: Buffer | undefined;
  private pending: Uint8Array[] = [];
  private initTimer: NodeJS.Timeout | undefined;
  private pingInterval: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pingSentAt: bigint | undefined;
  private readonly log: Logger;

  constructor(
    private readonly host: ConnectionHost,
    private readonly noise: NoiseSocket,
    readonly origin: ConnectionOrigin,
  ) {
    this.nodeId = noise.remotePublicKey;
    const id = ++nextId;
    this.log = host.logger.child({
      conn: id,
      nodeId: this.nodeId.toString('hex'),
      remote: this.remoteAddress,
    });
    this.ref = host.member.spawn<0>(`peer-conn-${id}`, {
      initialState: 0,
      onCrash: 'resume',
      handle: (s, msg) => {
        this.onMesh(msg);
        return s;
      },
    });
    host.metrics.transition(undefined, 'init');
  }

  /** `host:port` of the remote end (IPv6 in brackets). */
  get remoteAddress(): string {
    const { host, port } = this.origin.remote;
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }

  /** Whether this connection's `Peer` lives on that backend incarnation (or no `Peer` answered yet). */
  servedBy(address: string, incarnation: bigint): boolean {
    return (
      this.peerRef === undefined ||
      (this.peerRef.address === address && this.peerRef.incarnation === incarnation)
    );
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Starts reading the peer and announces the connection to the backend `Switchboard`. */
  start(): void {
    this.initTimer = setTimeout(() => this.close('init timeout'), this.host.timeouts.initTimeoutMs);
    this.noise.on('message', (m) => this.onPeerMessage(m));
    this.noise.on('error', (err) => this.close(`connection error: ${err.message}`));
    this.noise.on('close', () => this.close('peer closed the connection'));
    const msg = this.host.proto.peerAuthenticated.of({
      connection: this.ref,
      nodeId: this.nodeId,
      remoteAddress: this.remoteAddress,
      outgoing: this.origin.outgoing,
      requestId: this.origin.requestId,
    });
    try {
      this.host.member.mediator.send(PATHS.switchboard, msg, { sender: this.ref });
    } catch (err) {
      this.close(`backend unavailable: ${errorMessage(err)}`, { notifyBackend: false });
      return;
    }
    this.log.debug('peer authenticated', { outgoing: this.origin.outgoing });
  }

  /** Writes `messages`, closes the socket, stops the actor and (by default) tells the backend. */
  close(reason: string, opts: CloseOptions = {}): void {
    if (this.state === 'closed') return;
    const was = this.state;
    this.state = 'closed';
    clearTimeout(this.initTimer);
    clearInterval(this.pingInterval);
    clearTimeout(this.pingTimer);
    for (const m of opts.messages ?? []) this.write(m);
    if (this.noise.isOpen) {
      this.noise.end();
      setTimeout(() => this.noise.destroy(), CLOSE_GRACE_MS).unref();
    }
    this.host.member.actors.stopActor(this.ref);
    if (was === 'ready') this.host.router?.detach(this.ref.path);
    this.host.metrics.transition(was, undefined);
    if (opts.notifyBackend !== false) this.notifyClosed(reason);
    this.host.closed(this);
    this.log.info('peer connection closed', { reason, outgoing: this.origin.outgoing });
  }

  private notifyClosed(reason: string): void {
    const msg = this.host.proto.connectionClosed.of({ connection: this.ref, nodeId: this.nodeId, reason });
    try {
      if (this.peerRef !== undefined) this.host.member.tell(this.peerRef, msg, this.ref);
      else this.host.member.mediator.send(PATHS.switchboard, msg, { sender: this.ref });
    } catch (err) {
      // The backend is gone: it marks the connection down itself when it sees this member again.
      this.log.debug('ConnectionClosed not delivered', { error: errorMessage(err) });
    }
  }

  /** Closes with a BOLT 1 `warning` (all-zero channel_id: the whole connection) sent first. */
  private fail(reason: string): void {
    const warning = encodeMessage({
      type: 'warning',
      channelId: ZERO_CHANNEL_ID,
      data: Buffer.from(reason, 'utf8'),
      tlvs: { unknown: [] },
    });
    this.log.warn('closing peer connection on a protocol problem', { reason });
    this.close(reason, { messages: [warning] });
  }

  /** Writes one message; false when the socket buffer is full (or the connection is gone). */
  private write(message: Uint8Array): boolean {
    if (!this.noise.isOpen) return false;
    try {
      const ok = this.noise.write(message);
      this.host.metrics.message(typeOf(message), 'out');
      return ok;
    } catch (err) {
      this.log.debug('write failed', { error: errorMessage(err) });
      return false;
    }
  }

  // ---- from the backend ---------------------------------------------------------------------

  private onMesh(msg: Message): void {
    const p = this.host.proto;
    if (this.state === 'closed') return;
    if (p.initializeConnection.is(msg)) this.onInitialize(msg.value);
    else if (p.sendToPeer.is(msg)) {
      if (this.init === undefined) this.pending.push(...msg.value.messages);
      else for (const m of msg.value.messages) this.write(m);
    } else if (p.closeConnection.is(msg)) {
      this.close(msg.value.reason, { messages: msg.value.messages });
    } else this.log.warn('unexpected mesh message', { type: msg.type.name });
  }

  private onInitialize(init: InitializeConnection): void {
    if (this.init !== undefined) {
      this.log.warn('second InitializeConnection ignored');
      return;
    }
    this.init = init;
    this.peerRef = init.peer;
    this.write(buildInit(init.features, init.chainHashes, this.origin.remote));
    for (const m of this.pending) this.write(m);
    this.pending = [];
    if (this.remoteInit !== undefined) this.checkInit();
  }

  // ---- from the peer ------------------------------------------------------------------------

  private onPeerMessage(bytes: Buffer): void {
    if (this.state === 'closed') return;
    if (bytes.length < 2) {
      this.fail('message without a type');
      return;
    }
    const type = bytes.readUInt16BE(0);
    this.host.metrics.message(type, 'in');
    if (type === INIT_TYPE) {
      if (this.remoteInit !== undefined) this.fail('a second init (BOLT 1)');
      else {
        this.remoteInit = bytes;
        if (this.init !== undefined) this.checkInit();
      }
      return;
    }
    if (this.state !== 'ready') {
      this.fail(`message type ${type} before init (BOLT 1)`);
      return;
    }
    if (type === PING_TYPE) this.onPing(bytes);
    else if (type === PONG_TYPE) this.onPong(bytes);
    else if (this.host.router?.handles(type)) this.host.router.onPeerMessage(this.ref.path, bytes);
    else if (type >= GOSSIP_FIRST && type <= GOSSIP_LAST && type !== ANNOUNCEMENT_SIGNATURES_TYPE) {
      // Gossip stays on the frontend: without a router it is dropped (counted above).
    } else if (messageName(type) === undefined && unknownMessageAction(type) === 'close') {
      this.fail(`unknown even message type ${type} (BOLT 1)`);
    } else this.forward(bytes);
  }

  private checkInit(): void {
    const init = this.init!;
    let remote: InitMessage;
    try {
      remote = decodeMessage(this.remoteInit!) as InitMessage;
    } catch (err) {
      this.fail(`malformed init: ${errorMessage(err)}`);
      return;
    }
    const refusal = checkRemoteInit(remote, init.features, init.chainHashes);
    if (refusal !== undefined) {
      this.fail(refusal.reason);
      return;
    }
    clearTimeout(this.initTimer);
    this.state = 'ready';
    this.host.metrics.transition('init', 'ready');
    const ready = this.host.proto.connectionReady.of({
      connection: this.ref,
      nodeId: this.nodeId,
      remoteInit: this.remoteInit!,
    });
    if (!this.tellPeer(ready)) return;
    this.attachRouter(remote, init);
    this.pingInterval = setInterval(() => this.sendPing(), this.host.timeouts.pingIntervalMs);
    this.log.info('peer connection ready', { outgoing: this.origin.outgoing });
  }

  /** Hands the ready connection to the gossip router (issue 6). */
  private attachRouter(remote: InitMessage, init: InitializeConnection): void {
    const chainHash = init.chainHashes[0];
    if (this.host.router === undefined || chainHash === undefined) return;
    const noise = this.noise;
    this.host.router.attach({
      id: this.ref.path,
      nodeId: this.nodeId,
      chainHash,
      remoteFeatures: Features.fromBytes(remote.features).or(Features.fromBytes(remote.globalFeatures)),
      doSync: init.doSync,
      send: (m) => this.state !== 'closed' && this.write(m),
      onDrain: (resume) => noise.once('drain', resume),
      pauseReading: () => noise.pause(),
      resumeReading: () => {
        if (this.state !== 'closed') noise.resume();
      },
      get isOpen() {
        return noise.isOpen;
      },
    });
  }

  /** Sends to the backend `Peer`; pauses reading while the link is saturated; false if closed. */
  private tellPeer(msg: Message): boolean {
    const peer = this.peerRef!;
    let ok: boolean;
    try {
      ok = this.host.member.tell(peer, msg, this.ref);
    } catch (err) {
      this.close(`backend unreachable: ${errorMessage(err)}`, { notifyBackend: false });
      return false;
    }
    if (!ok && !this.noise.isPaused) {
      this.noise.pause();
      this.host.whenDrained(peer.address, () => {
        if (this.state !== 'closed') this.noise.resume();
      });
    }
    return true;
  }

  private forward(bytes: Buffer): void {
    this.tellPeer(this.host.proto.peerMessage.of({ connection: this.ref, message: bytes }));
  }

  private onPing(bytes: Buffer): void {
    let ping: PingMessage;
    try {
      ping = decodeMessage(bytes) as PingMessage;
    } catch (err) {
      this.fail(`malformed ping: ${errorMessage(err)}`);
      return;
    }
    const n = pongLengthFor(ping);
    if (n === undefined) return;
    const pong: PongMessage = { type: 'pong', ignored: new Uint8Array(n), tlvs: { unknown: [] } };
    this.write(encodeMessage(pong));
  }

  private onPong(bytes: Buffer): void {
    if (this.pingSentAt === undefined) return; // unsolicited: BOLT 1 allows ignoring it
    const rtt = Number(process.hrtime.bigint() - this.pingSentAt) / 1e9;
    this.pingSentAt = undefined;
    clearTimeout(this.pingTimer);
    this.host.metrics.pingRoundTrip(rtt);
    if (bytes.length < 4 || bytes.readUInt16BE(2) !== OUR_PONG_BYTES) {
      this.log.debug('pong length differs from the one asked for', { length: bytes.length });
    }
  }

  private sendPing(): void {
    if (this.pingSentAt !== undefined || this.state !== 'ready') return;
    const ping: PingMessage = {
      type: 'ping',
      numPongBytes: OUR_PONG_BYTES,
      ignored: new Uint8Array(0),
      tlvs: { unknown: [] },
    };
    this.pingSentAt = process.hrtime.bigint();
    this.write(encodeMessage(ping));
    this.armPingTimeout(false);
  }

  /**
   * Closes the connection if no pong comes within the ping timeout (BOLT 1). While *we* have
   * paused reading (back-pressure from the mesh or the gossip router), the pong may be waiting
   * unread behind the peer's earlier messages: that is not the peer's fault, so the timeout
   * starts again, and once more after reading resumes.
   */
  private armPingTimeout(pausedBefore: boolean): void {
    this.pingTimer = setTimeout(() => {
      const paused = this.noise.isPaused;
      if (paused || pausedBefore) {
        this.armPingTimeout(paused);
        return;
      }
      this.log.warn('no pong within the ping timeout', { timeoutMs: this.host.timeouts.pingTimeoutMs });
      this.close('ping timeout');
    }, this.host.timeouts.pingTimeoutMs);
  }
}

function typeOf(message: Uint8Array): number {
  return message.length < 2 ? -1 : (message[0]! << 8) | message[1]!;
}
