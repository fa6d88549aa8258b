import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { type ActorSpec, ActorSystem } from './actors/system.js';
import {
  encodeControl,
  encodeMessageFrame,
  encodePing,
  FrameKind,
  type PeerIdentity,
  TargetMode,
  type TargetModeValue,
} from './codec/frame.js';
import { formatRef } from './codec/ref.js';
import { CodecRegistry, type Message } from './codec/registry.js';
import { ClusterError } from './errors.js';
import { Mediator, type MediatorHost } from './mediator/mediator.js';
import { membershipEventType } from './membership/event-type.js';
import { Redialer } from './membership/redialer.js';
import { type Entry, info, MemberTable } from './membership/table.js';
import { ClusterMetrics } from './metrics.js';
import { type ClusterDeps, type ClusterOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { Connector } from './transport/connector.js';
import { dispatchFrame, type FrameHost } from './transport/dispatch.js';
import { Link } from './transport/link.js';
import type { ActorRef, ClusterEvents, Logger, MemberInfo, MembershipEvent } from './types.js';

/** WebSocket close code for the loser of a simultaneous dial (not a failure). */
const DUPLICATE_CLOSE = 4002;
/** WebSocket close code of a member that stops on purpose ("going away"). */
const LEAVE_CLOSE = 1001;

/**
 * One member of the mesh: listens with mutual TLS, joins through the seed nodes, keeps one link per
 * pair of members, detects failures by heartbeat, and hosts the local actors and the mediator.
 */
export class ClusterMember extends EventEmitter<ClusterEvents> implements MediatorHost {
  readonly codecs: CodecRegistry;
  readonly logger: Logger;
  readonly options: ResolvedOptions;
  readonly incarnation: bigint;
  private address_: string;
  private actors_: ActorSystem | undefined;
  private mediator_: Mediator | undefined;
  private readonly connector: Connector;
  private readonly table: MemberTable;
  private readonly frameHost: FrameHost;
  private readonly candidates = new Map<string, PeerIdentity | undefined>();
  private readonly redialer: Redialer;
  private readonly membershipSubscribers = new Map<string, ActorRef>();
  private readonly metrics: ClusterMetrics | undefined;
  private timers: NodeJS.Timeout[] = [];
  private started = false;
  /** Reading from every link is paused while a local mailbox is under pressure. */
  private readPaused = false;
  private lastTickAt = Date.now();

  constructor(deps: ClusterDeps, options: ClusterOptions) {
    super();
    this.logger = deps.logger;
    this.options = resolveOptions(options);
    this.codecs = deps.codecs ?? new CodecRegistry();
    this.codecs.adopt(membershipEventType);
    this.incarnation = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
    this.address_ = `${options.host}:${options.port}`;
    this.frameHost = {
      codecs: this.codecs,
      logger: this.logger,
      actors: () => this.actors,
      mediator: () => this.mediator,
      metrics: () => this.metrics,
      gossip: (body) => this.onGossip(body),
      left: (link) => {
        const e = this.table.entries.get(link.peer.address);
        if (e?.link === link) this.table.remove(e, 'left the cluster');
      },
    };
    this.table = new MemberTable(
      this.logger,
      (kind, e) => this.publishEvent(kind, e),
      (address) => this.mediator_?.dropMember(address),
    );
    this.connector = new Connector(
      {
        logger: this.logger,
        identity: () => this.identity,
        established: (ws, hs, dialer) => this.attach(ws, hs.peer, dialer, hs.early, hs.detach),
        refused: (err) => this.emit('refused', err),
      },
      this.options,
    );
    this.redialer = new Redialer(
      {
        seedNodes: this.options.seedNodes,
        maxRetryDelayMs: this.options.maxRetryDelayMs,
        logger: this.logger,
      },
      (address) => this.connector.dial(address),
      () => this.linkCount() > 0,
      (err) => this.emit('refused', err),
    );
    if (deps.metrics !== undefined) {
      this.metrics = new ClusterMetrics(deps.metrics.registry, {
        queueBytes: () => [...this.upLinks()].reduce((n, l) => n + l.queuedBytes, 0),
        links: () => this.linkCount(),
        statuses: () => this.table.statusCounts(),
      });
    }
  }

  /** `host:port` of this member (the real port once started). */
  get address(): string {
    return this.address_;
  }

  get actors(): ActorSystem {
    if (this.actors_ === undefined) throw new ClusterError('CLUSTER_BAD_STATE', 'cluster member not started');
    return this.actors_;
  }

  get mediator(): Mediator {
    if (this.mediator_ === undefined)
      throw new ClusterError('CLUSTER_BAD_STATE', 'cluster member not started');
    return this.mediator_;
  }

  /** This member's identity as sent in hello/welcome and gossip. */
  get identity(): PeerIdentity {
    const o = this.options;
    return {
      address: this.address_,
      incarnation: this.incarnation,
      roles: o.roles,
      protocolVersion: o.protocolVersion,
    };
  }

  async start(): Promise<void> {
    if (this.started) throw new ClusterError('CLUSTER_BAD_STATE', 'cluster member already started');
    const o = this.options;
    this.address_ = `${o.host}:${await this.connector.listen(o.host, o.port)}`;
    this.actors_ = new ActorSystem(
      { logger: this.logger },
      { address: this.address_, incarnation: this.incarnation },
      (target, msg, sender) => this.tellRemote(target, msg, sender),
      (target, msg, err) => this.deadLetter(formatRef(target), msg, err),
    );
    this.mediator_ = new Mediator(this);
    this.actors_.onPressure = (pressured) => this.setReadPaused(pressured);
    this.started = true;
    const tickMs = Math.max(20, Math.min(o.heartbeatIntervalMs, 200));
    this.timers.push(setInterval(() => this.heartbeat(), o.heartbeatIntervalMs));
    this.timers.push(setInterval(() => this.tick(), tickMs));
    this.logger.info('cluster member started', {
      address: this.address_,
      incarnation: this.incarnation.toString(),
      roles: o.roles,
      seeds: o.seedNodes,
    });
    this.tick();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const leave = encodeControl(FrameKind.leave, { address: this.address_ });
    const closing: Promise<void>[] = [];
    for (const e of this.table.entries.values()) {
      if (e.link === undefined) continue;
      e.link.sendControl(leave);
      e.link.close(LEAVE_CLOSE, 'member stopping');
      closing.push(e.link.done);
    }
    // Let the leave and the close handshake reach the peers (Link.close terminates a silent one
    // after a second) before the server resets the sockets it accepted.
    await Promise.all(closing);
    await this.connector.close();
    this.actors_?.stop();
    this.logger.info('cluster member stopped', { address: this.address_ });
  }

  // ---- public messaging API -------------------------------------------------------------------

  /** Spawns a local actor (see {@link ActorSystem.spawn}). */
  spawn<S>(name: string | undefined, spec: ActorSpec<S>): ActorRef {
    return this.actors.spawn(name, spec);
  }

  /** Sends to any actor ref; false = saturated link (pause); throws when undeliverable. */
  tell(target: ActorRef, msg: Message, sender?: ActorRef): boolean {
    return this.actors.tell(target, msg, sender);
  }

  /**
   * Request/response to a ref or to a mediator path; resolves with the reply, rejects with
   * `CLUSTER_ASK_TIMEOUT`, or at once with the error of an undeliverable request.
   */
  ask(
    target: ActorRef | { path: string; localAffinity?: boolean },
    msg: Message,
    timeoutMs: number,
  ): Promise<Message> {
    return this.actors.ask(timeoutMs, (replyTo) =>
      'address' in target
        ? this.actors.tell(target, msg, replyTo)
        : this.mediator.send(target.path, msg, {
            sender: replyTo,
            localAffinity: target.localAffinity ?? true,
          }),
    );
  }

  /** Members known to this member, this one first. */
  members(): MemberInfo[] {
    // Joining until linked to someone, except the first seed, which forms the cluster on its own.
    const up = this.linkCount() > 0 || this.options.seedNodes[0] === this.address_;
    const self: MemberInfo = { ...this.identity, status: up ? 'up' : 'joining' };
    return [self, ...[...this.table.entries.values()].map((e) => info(e))];
  }

  /** Delivers every membership event to a local actor as a `membershipEventType` message. */
  subscribeMembership(ref: ActorRef): void {
    this.membershipSubscribers.set(ref.path, ref);
  }

  unsubscribeMembership(ref: ActorRef): void {
    this.membershipSubscribers.delete(ref.path);
  }

  /** False while the link to `address` is saturated; wait for `drain`. */
  canSend(address: string): boolean {
    const link = this.linkTo(address);
    return link !== undefined && !link.isSaturated;
  }

  /** Bytes queued on the link to `address` (0 when there is none). */
  queuedBytes(address: string): number {
    return this.table.entries.get(address)?.link?.queuedBytes ?? 0;
  }

  /** Stops reading from the link to `address` (tests of back-pressure; a stalled consumer). */
  pauseReading(address: string, paused: boolean): void {
    const ws = this.table.entries.get(address)?.link?.ws;
    if (ws === undefined) return;
    if (paused) ws.pause();
    else ws.resume();
  }

  // ---- MediatorHost ---------------------------------------------------------------------------

  upLinks(): Iterable<Link> {
    return this.table.upLinks();
  }

  linkTo(address: string): Link | undefined {
    return this.table.linkTo(address);
  }

  sendFrame(
    link: Link,
    mode: TargetModeValue,
    target: string,
    msg: Message,
    sender: ActorRef | undefined,
  ): boolean {
    const frame = encodeMessageFrame(mode, msg.type.id, target, sender, msg.type.encode(msg.value));
    try {
      const ok = link.send(frame);
      this.metrics?.message(msg.type.name, 'out', frame.length);
      return ok;
    } catch (err) {
      if (err instanceof ClusterError) this.deadLetter(`${link.peer.address}${target}`, msg, err);
      throw err;
    }
  }

  deadLetter(target: string, msg: Message, err: ClusterError): void {
    this.logger.debug('dead letter', { target, type: msg.type.name, code: err.code });
    this.emit('dead-letter', { target, type: msg.type.name, code: err.code, message: err.message });
  }

  private tellRemote(target: ActorRef, msg: Message, sender: ActorRef | undefined): boolean {
    const e = this.table.entries.get(target.address);
    const link = this.linkTo(target.address);
    if (e === undefined || link === undefined || e.id.incarnation !== target.incarnation) {
      const why =
        e === undefined
          ? 'unknown'
          : e.id.incarnation !== target.incarnation
            ? 'another incarnation'
            : e.status;
      const err = new ClusterError('CLUSTER_UNREACHABLE', `member ${target.address} is ${why}`, {
        address: target.address,
        path: target.path,
      });
      this.deadLetter(formatRef(target), msg, err);
      throw err;
    }
    return this.sendFrame(link, TargetMode.actor, target.path, msg, sender);
  }

  // ---- links and membership -------------------------------------------------------------------

  private linkCount(): number {
    let n = 0;
    for (const _ of this.upLinks()) n++;
    return n;
  }

  private attach(
    ws: WebSocket,
    peer: PeerIdentity,
    dialer: string,
    early: Buffer[],
    detach: () => void,
  ): string | undefined {
    let e = this.table.entries.get(peer.address);
    const preferred = [this.address_, peer.address].sort()[0];
    const why = !this.started
      ? 'stopping'
      : peer.address === this.address_
        ? 'connected to itself'
        : this.table.isRemoved(peer)
          ? 'removed incarnation'
          : e !== undefined && e.id.incarnation > peer.incarnation
            ? 'stale incarnation'
            : // Both dialled at once: keep the link dialled by the lower address, on both sides.
              e?.link?.isOpen === true &&
                e.id.incarnation === peer.incarnation &&
                e.link.dialer === preferred &&
                dialer !== preferred
              ? 'duplicate link'
              : undefined;
    if (why !== undefined) {
      detach();
      this.logger.debug('dropping a mesh connection', { peer: peer.address, why });
      // A stopping member may be the peer's link already (it attached first): say "leave" (1001).
      const code = why === 'duplicate link' ? DUPLICATE_CLOSE : why === 'stopping' ? LEAVE_CLOSE : 4000;
      ws.close(code, why);
      return why === 'duplicate link' ? undefined : why;
    }
    if (e !== undefined && e.id.incarnation < peer.incarnation) {
      this.table.remove(e, 'restarted as a new incarnation');
      e = undefined;
    }
    if (e?.link?.isOpen === true) e.link.close(DUPLICATE_CLOSE, 'duplicate link');
    const o = this.options;
    const link = new Link(
      ws,
      peer,
      dialer,
      {
        highWaterMark: o.sendQueueHighWaterMark,
        maxQueueBytes: o.sendQueueMaxBytes,
        maxFrameBytes: o.maxFrameBytes,
      },
      {
        frame: (l, data) => this.onFrame(l, data),
        close: (l, code, reason) => this.onLinkClose(l, code, reason),
        drain: (l) => this.emit('drain', l.peer.address),
      },
    );
    detach();
    const isNew = e === undefined;
    const wasUnreachable = e?.status === 'unreachable';
    if (e === undefined) {
      e = { id: peer, status: 'up', link, unreachableSince: 0 };
      this.table.entries.set(peer.address, e);
    } else {
      e.link = link;
      e.status = 'up';
    }
    this.candidates.delete(peer.address);
    this.redialer.forget(peer.address);
    this.mediator.snapshotTo(link);
    link.sendControl(this.gossipFrame());
    if (isNew) {
      this.logger.info('member up', {
        address: peer.address,
        roles: peer.roles,
        incarnation: String(peer.incarnation),
      });
      for (const other of this.upLinks()) if (other !== link) other.sendControl(this.gossipFrame());
      this.publishEvent('member-up', e);
    } else if (wasUnreachable) {
      this.logger.info('member reachable again', { address: peer.address });
      this.publishEvent('member-reachable', e);
    }
    for (const f of early) this.onFrame(link, f);
    if (this.readPaused) this.pauseLink(link, true);
    return undefined;
  }

  private onLinkClose(link: Link, code: number, reason: string): void {
    const e = this.table.entries.get(link.peer.address);
    if (e === undefined) return;
    if (e.link !== link) {
      // A member that stops closes every link it has: while a simultaneous dial settles, the one
      // it closes may be the one this side has just replaced.
      if (code === LEAVE_CLOSE && e.id.incarnation === link.peer.incarnation)
        this.table.remove(e, 'left the cluster');
      return;
    }
    e.link = undefined;
    if (code === LEAVE_CLOSE) {
      // Same as a `leave` frame, for when the frame went down a link this side had not kept.
      this.table.remove(e, 'left the cluster');
      return;
    }
    if (code === DUPLICATE_CLOSE && e.status === 'up') {
      // The other side kept the other link of a simultaneous dial; it is on its way. If it does
      // not come, the failure detector marks the member unreachable after the threshold.
      e.unreachableSince = Date.now();
      return;
    }
    this.table.markUnreachable(e, `link closed (${code}${reason === '' ? '' : ` ${reason}`})`);
  }

  private publishEvent(kind: MembershipEvent['kind'], e: Entry): void {
    const event: MembershipEvent = { kind, member: info(e) };
    for (const ref of this.membershipSubscribers.values()) {
      try {
        this.actors.deliverLocal(ref.path, membershipEventType.of(event), undefined);
      } catch (err) {
        if (!(err instanceof ClusterError)) throw err;
        this.logger.warn('membership event not delivered', { path: ref.path, code: err.code });
      }
    }
    this.emit(kind, event);
  }

  private gossipFrame(): Buffer {
    return encodeControl(FrameKind.gossip, { members: [this.identity, ...this.table.upIdentities()] });
  }

  private onGossip(body: unknown): void {
    for (const id of this.table.unknownIn(body, this.address_)) {
      if (!this.candidates.has(id.address)) {
        this.candidates.set(id.address, id);
        this.redialer.dial(id.address);
      }
    }
  }

  private setReadPaused(paused: boolean): void {
    this.readPaused = paused;
    this.logger.debug(paused ? 'mailbox pressure: pausing link reads' : 'mailbox pressure relieved');
    for (const link of this.upLinks()) this.pauseLink(link, paused);
  }

  private pauseLink(link: Link, paused: boolean): void {
    if (paused) link.ws.pause();
    else link.ws.resume();
  }

  private onFrame(link: Link, data: Buffer): void {
    const e = this.table.entries.get(link.peer.address);
    if (e?.link !== link) {
      // Same as in onLinkClose: a leave counts on any link of that incarnation.
      if (data[0] === FrameKind.leave && e?.id.incarnation === link.peer.incarnation)
        this.table.remove(e, 'left the cluster');
      return;
    }
    dispatchFrame(this.frameHost, link, data);
  }

  private heartbeat(): void {
    const frame = encodePing(FrameKind.ping, process.hrtime.bigint());
    for (const link of this.upLinks()) link.sendControl(frame);
  }

  /** Failure detection, removal, and (re)connection with back-off. */
  private tick(): void {
    if (!this.started) return;
    const now = Date.now();
    const o = this.options;
    // Our own stall (GC, CPU starvation, a long synchronous stretch) is not the peers' silence:
    // give every link a fresh threshold instead of declaring them all unreachable.
    const stalled = now - this.lastTickAt > o.failureDetectorThresholdMs / 2;
    this.lastTickAt = now;
    // While we do not read, peers' heartbeats wait in the socket: that silence is ours too.
    if (stalled || this.readPaused) for (const l of this.upLinks()) l.lastSeen = Math.max(l.lastSeen, now);
    this.table.detect(now, o.failureDetectorThresholdMs, o.downAfterMs);
    const targets = new Set<string>();
    for (const s of o.seedNodes) if (s !== this.address_ && this.linkTo(s) === undefined) targets.add(s);
    for (const a of this.candidates.keys()) targets.add(a);
    for (const e of this.table.entries.values()) if (e.status === 'unreachable') targets.add(e.id.address);
    for (const a of targets) {
      const since = this.redialer.failingSince(a);
      if (since !== undefined && this.candidates.has(a) && now - since > o.downAfterMs) {
        this.candidates.delete(a);
        this.redialer.forget(a);
        continue;
      }
      this.redialer.dialIfDue(a, now);
    }
  }
}
