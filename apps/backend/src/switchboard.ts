import { EventEmitter } from 'node:events';
import {
  type ActorRef,
  ClusterError,
  type ClusterMember,
  type MembershipEvent,
  type Message,
} from '@shoal/cluster';
import {
  type ConnectionFailed,
  type FrontProtocol,
  PATHS,
  type PeerAuthenticated,
} from '@shoal/front-protocol';
import type { Logger } from '@shoal/log';
import { BackendError } from './errors.js';
import type { BackendMetrics, DisconnectCause } from './metrics.js';
import { Peer, type PeerHost } from './peer.js';

/** Collaborators of the {@link Switchboard}. */
export interface SwitchboardDeps {
  member: ClusterMember;
  proto: FrontProtocol;
  logger: Logger;
  metrics?: BackendMetrics;
  /** Our `init` features (BOLT 9 bytes) and BOLT 0 chain hash. */
  features: Uint8Array;
  chainHash: Uint8Array;
  /** Persistent peers are always kept; others are forgotten beyond {@link SwitchboardDeps.maxIdlePeers}. */
  isPersistent?: (nodeIdHex: string) => boolean;
  /** Disconnected non-persistent peers kept for `peers` (oldest forgotten first); default 1000. */
  maxIdlePeers?: number;
  /** `InitializeConnection.doSync` for a peer (the gossip Router's decision); default false. */
  doSync?: (nodeIdHex: string) => boolean;
}

/** Events of the {@link Switchboard}. */
export interface SwitchboardEvents {
  'peer-ready': [Peer];
  'peer-disconnected': [Peer, string];
  /** A `ConnectionRequest` was handed to a frontend (tests observe reconnection through this). */
  'connection-requested': [{ requestId: bigint; nodeId: string; host: string; port: number }];
}

interface PendingRequest {
  readonly nodeIdHex: string;
  resolve(): void;
  reject(err: BackendError): void;
  readonly timer: NodeJS.Timeout;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * The backend `Switchboard` (DESIGN.md §4, flows 2, 7, 9), registered at `/backend/switchboard`:
 * one {@link Peer} actor per remote node id, created on the first `PeerAuthenticated`; marks every
 * connection of an unreachable frontend down at once; sends outgoing `ConnectionRequest`s.
 */
export class Switchboard extends EventEmitter<SwitchboardEvents> {
  private readonly peers = new Map<string, Peer>();
  private readonly pending = new Map<bigint, PendingRequest>();
  /** Disconnected non-persistent peers, oldest first (a Map keeps insertion order). */
  private readonly idle = new Map<string, Peer>();
  private nextRequestId = 1n;
  private self: ActorRef | undefined;
  private readonly log: Logger;
  private readonly host: PeerHost;
  private readonly onMemberGone = (e: MembershipEvent): void => this.memberGone(e);

  constructor(private readonly deps: SwitchboardDeps) {
    super();
    this.log = deps.logger.child({ component: 'switchboard' });
    this.host = {
      proto: deps.proto,
      logger: deps.logger,
      features: deps.features,
      chainHash: deps.chainHash,
      doSync: (id) => deps.doSync?.(id) ?? false,
      tell: (target, msg, sender) => deps.member.tell(target, msg, sender),
      peerReady: (peer) => this.peerReady(peer),
      peerDisconnected: (peer, reason) => this.peerDisconnected(peer, reason),
      message: (type, direction) => deps.metrics?.message(type, direction),
      requestAborted: (id, reason) =>
        this.settle(id, new BackendError('BACKEND_CONNECT_FAILED', reason, { requestId: id.toString() })),
    };
  }

  /** The switchboard actor's ref (after `start`). */
  get ref(): ActorRef {
    if (this.self === undefined) throw new BackendError('BACKEND_BAD_STATE', 'switchboard not started');
    return this.self;
  }

  start(): void {
    const m = this.deps.member;
    this.self = m.spawn('switchboard', {
      initialState: undefined,
      onCrash: 'resume',
      handle: (_s: undefined, msg: Message) => this.handle(msg),
    });
    m.mediator.put(PATHS.switchboard, this.self);
    m.on('member-unreachable', this.onMemberGone);
    m.on('member-removed', this.onMemberGone);
  }

  stop(): void {
    const m = this.deps.member;
    m.off('member-unreachable', this.onMemberGone);
    m.off('member-removed', this.onMemberGone);
    for (const id of [...this.pending.keys()]) {
      this.settle(id, new BackendError('BACKEND_BAD_STATE', 'the backend is stopping'));
    }
  }

  /** Every peer known since start, connected or not. */
  list(): Peer[] {
    return [...this.peers.values()];
  }

  get(nodeId: Uint8Array): Peer | undefined {
    return this.peers.get(hex(nodeId));
  }

  /** Connected peers per frontend mesh address. */
  peersPerFrontend(): Map<string, number> {
    const out = new Map<string, number>();
    for (const p of this.peers.values()) {
      const f = p.frontend;
      if (f !== undefined && p.state === 'CONNECTED') out.set(f, (out.get(f) ?? 0) + 1);
    }
    return out;
  }

  /** The peer of `nodeId`, created (with its actor) when new. */
  peerFor(nodeId: Uint8Array): Peer {
    const id = hex(nodeId);
    let peer = this.peers.get(id);
    if (peer === undefined) {
      let created: Peer | undefined;
      const ref = this.deps.member.spawn(`peer-${id}`, {
        initialState: undefined,
        onCrash: 'resume',
        handle: (_s: undefined, msg: Message) => created?.handle(msg),
      });
      created = new Peer(Uint8Array.from(nodeId), id, ref, this.host);
      peer = created;
      this.peers.set(id, peer);
    }
    return peer;
  }

  /**
   * Flow 9: asks one frontend to dial `host:port`; resolves once the peer is ready (any
   * connection), rejects with `BACKEND_FRONTEND_UNAVAILABLE`, `BACKEND_CONNECT_FAILED` (the
   * frontend's reason) or `BACKEND_CONNECT_TIMEOUT`.
   */
  connect(nodeId: Uint8Array, host: string, port: number, timeoutMs: number): Promise<void> {
    const id = hex(nodeId);
    const requestId = this.nextRequestId++;
    const msg = this.deps.proto.connectionRequest.of({ requestId, nodeId, host, port, replyTo: this.ref });
    try {
      this.deps.member.mediator.send(PATHS.clientSpawner, msg, { sender: this.ref });
    } catch (err) {
      if (
        err instanceof ClusterError &&
        (err.code === 'CLUSTER_NO_ROUTE' || err.code === 'CLUSTER_UNREACHABLE')
      ) {
        return Promise.reject(
          new BackendError('BACKEND_FRONTEND_UNAVAILABLE', `no frontend is available to connect to ${id}`, {
            nodeId: id,
          }),
        );
      }
      return Promise.reject(err);
    }
    this.emit('connection-requested', { requestId, nodeId: id, host, port });
    this.log.info('connection requested', { nodeId: id, host, port, requestId: requestId.toString() });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(
          requestId,
          new BackendError('BACKEND_CONNECT_TIMEOUT', `connection to ${id} timed out after ${timeoutMs} ms`, {
            nodeId: id,
          }),
        );
      }, timeoutMs);
      this.pending.set(requestId, { nodeIdHex: id, resolve, reject, timer });
    });
  }

  /** Ends a pending request: resolved without `err`, else rejected with it. */
  private settle(requestId: bigint, err?: BackendError): void {
    const p = this.pending.get(requestId);
    if (p === undefined) return;
    this.pending.delete(requestId);
    clearTimeout(p.timer);
    if (err === undefined) p.resolve();
    else p.reject(err);
  }

  private handle(msg: Message): void {
    const p = this.deps.proto;
    if (p.peerAuthenticated.is(msg)) this.onAuthenticated(msg.value);
    else if (p.connectionFailed.is(msg)) this.onFailed(msg.value);
    else if (p.connectionClosed.is(msg)) this.peers.get(hex(msg.value.nodeId))?.handle(msg);
    else if (p.connectionReady.is(msg) || p.peerMessage.is(msg)) {
      this.log.warn('peer message sent to the switchboard', { type: msg.type.name });
    } else this.log.warn('unexpected message', { type: msg.type.name });
  }

  private onAuthenticated(m: PeerAuthenticated): void {
    const peer = this.peerFor(m.nodeId);
    this.idle.delete(peer.nodeIdHex);
    peer.onAuthenticated(m);
  }

  private onFailed(m: ConnectionFailed): void {
    const id = hex(m.nodeId);
    this.log.info('connection failed', { nodeId: id, reason: m.reason, requestId: m.requestId.toString() });
    this.settle(m.requestId, new BackendError('BACKEND_CONNECT_FAILED', m.reason, { nodeId: id }));
  }

  private peerReady(peer: Peer): void {
    for (const [id, p] of [...this.pending]) if (p.nodeIdHex === peer.nodeIdHex) this.settle(id);
    this.updateGauge();
    this.emit('peer-ready', peer);
  }

  private peerDisconnected(peer: Peer, reason: string): void {
    const cause: DisconnectCause = reason.startsWith('frontend')
      ? 'frontend_down'
      : reason.startsWith('disconnect')
        ? 'api'
        : 'closed';
    this.deps.metrics?.disconnected(cause);
    this.updateGauge();
    this.emit('peer-disconnected', peer, reason);
    if (this.deps.isPersistent?.(peer.nodeIdHex) !== true) this.retire(peer);
  }

  /**
   * Keeps a disconnected non-persistent peer listed for a while, but bounded: beyond
   * `maxIdlePeers` the oldest is forgotten and its actor stopped, so peers that connect once
   * do not accumulate (Eclair stops the Peer of a disconnected node without channels).
   */
  private retire(peer: Peer): void {
    this.idle.delete(peer.nodeIdHex);
    this.idle.set(peer.nodeIdHex, peer);
    const max = this.deps.maxIdlePeers ?? 1000;
    for (const [id, p] of this.idle) {
      if (this.idle.size <= max) break;
      this.idle.delete(id);
      if (p.frontend !== undefined) continue;
      this.peers.delete(id);
      this.deps.member.actors.stopActor(p.ref);
    }
  }

  /** Flow 7: a frontend unreachable or removed: every connection it held is down at once. */
  private memberGone(e: MembershipEvent): void {
    if (!e.member.roles.includes('frontend')) return;
    const reason = `frontend ${e.member.address} ${e.kind === 'member-removed' ? 'removed' : 'unreachable'}`;
    let n = 0;
    for (const p of this.peers.values()) {
      if (p.frontendDown(e.member.address, e.member.incarnation, reason)) n++;
    }
    if (n > 0)
      this.log.warn('frontend lost: its peers are disconnected', { frontend: e.member.address, peers: n });
  }

  private updateGauge(): void {
    let n = 0;
    for (const p of this.peers.values()) if (p.state === 'CONNECTED') n++;
    this.deps.metrics?.setConnected(n);
  }

  /** Closes the peer's connection (API `disconnect`). */
  disconnect(nodeId: Uint8Array): boolean {
    const peer = this.peers.get(hex(nodeId));
    if (peer === undefined) return false;
    peer.disconnect('disconnect requested');
    return true;
  }
}
