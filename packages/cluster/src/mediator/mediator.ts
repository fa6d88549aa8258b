import type { ActorSystem } from '../actors/system.js';
import {
  encodeControl,
  FrameKind,
  type RegistryOp,
  TargetMode,
  type TargetModeValue,
} from '../codec/frame.js';
import type { Message } from '../codec/registry.js';
import { ClusterError } from '../errors.js';
import type { Link } from '../transport/link.js';
import type { ActorRef, Logger } from '../types.js';

/** What the mediator needs from its member. */
export interface MediatorHost {
  readonly actors: ActorSystem;
  readonly logger: Logger;
  /** Open links to members that are up (reachable). */
  upLinks(): Iterable<Link>;
  linkTo(address: string): Link | undefined;
  sendFrame(
    link: Link,
    mode: TargetModeValue,
    target: string,
    msg: Message,
    sender: ActorRef | undefined,
  ): boolean;
  deadLetter(target: string, msg: Message, err: ClusterError): void;
}

/** Options of {@link Mediator.send}. */
export interface SendOptions {
  /** Prefer an actor on this member when one is registered (default true). */
  localAffinity?: boolean;
  sender?: ActorRef;
}

interface RemoteEntries {
  paths: Set<string>;
  topics: Set<string>;
}

/**
 * DistributedPubSub-style mediator: each member owns its registrations and replicates them to every
 * linked member; entries of a member vanish when its link goes down and come back with the
 * snapshot sent on every new link.
 */
export class Mediator {
  private readonly paths = new Map<string, ActorRef>();
  private readonly topics = new Map<string, ActorRef[]>();
  private readonly remote = new Map<string, RemoteEntries>();
  private rr = 0;

  constructor(private readonly host: MediatorHost) {}

  /** Registers a local actor under `path` (one per path per member; a second put replaces it). */
  put(path: string, ref: ActorRef): void {
    if (!this.host.actors.isLocal(ref)) {
      throw new ClusterError('CLUSTER_BAD_STATE', 'only local actors can be put in the mediator', { path });
    }
    this.paths.set(path, ref);
    this.broadcast({ op: 'put', path });
  }

  remove(path: string): void {
    if (this.paths.delete(path)) this.broadcast({ op: 'remove', path });
  }

  subscribe(topic: string, ref: ActorRef): void {
    if (!this.host.actors.isLocal(ref)) {
      throw new ClusterError('CLUSTER_BAD_STATE', 'only local actors can subscribe', { topic });
    }
    const subs = this.topics.get(topic) ?? [];
    if (subs.some((r) => r.path === ref.path)) return;
    subs.push(ref);
    this.topics.set(topic, subs);
    if (subs.length === 1) this.broadcast({ op: 'subscribe', topic });
  }

  unsubscribe(topic: string, ref: ActorRef): void {
    const subs = this.topics.get(topic)?.filter((r) => r.path !== ref.path) ?? [];
    if (subs.length > 0) this.topics.set(topic, subs);
    else if (this.topics.delete(topic)) this.broadcast({ op: 'unsubscribe', topic });
  }

  /**
   * Delivers to exactly one actor registered under `path`: the local one first (unless
   * `localAffinity: false`), otherwise round-robin over reachable members. Returns false when the
   * chosen link is saturated; throws `CLUSTER_NO_ROUTE` when nobody reachable has the path.
   */
  send(path: string, msg: Message, opts: SendOptions = {}): boolean {
    const local = this.paths.get(path);
    if (local !== undefined && opts.localAffinity !== false)
      return this.host.actors.tell(local, msg, opts.sender);
    const links = this.linksWith((e) => e.paths.has(path));
    const total = links.length + (local === undefined ? 0 : 1);
    if (total === 0) throw this.noRoute(path, msg);
    const i = this.rr++ % total;
    const link = links[i];
    if (link === undefined && local !== undefined) return this.host.actors.tell(local, msg, opts.sender);
    return this.host.sendFrame(link!, TargetMode.path, path, msg, opts.sender);
  }

  /**
   * Delivers to every actor registered under `path`; false if any link is saturated. One failing
   * target (a full link or mailbox, recorded as a dead letter) does not stop the others: the
   * first such error is thrown once every target has been tried.
   */
  sendToAll(path: string, msg: Message, opts: { sender?: ActorRef; allButSelf?: boolean } = {}): boolean {
    const local = opts.allButSelf === true ? undefined : this.paths.get(path);
    const links = this.linksWith((e) => e.paths.has(path));
    if (links.length === 0 && local === undefined) throw this.noRoute(path, msg);
    const all = new Fanout();
    if (local !== undefined) all.run(() => this.host.actors.tell(local, msg, opts.sender));
    for (const link of links)
      all.run(() => this.host.sendFrame(link, TargetMode.path, path, msg, opts.sender));
    return all.result();
  }

  /** Delivers to every subscriber of `topic` on every reachable member (none is fine); errors as {@link sendToAll}. */
  publish(topic: string, msg: Message, opts: { sender?: ActorRef } = {}): boolean {
    this.deliverTopic(topic, msg, opts.sender);
    const all = new Fanout();
    for (const link of this.linksWith((e) => e.topics.has(topic))) {
      all.run(() => this.host.sendFrame(link, TargetMode.topic, topic, msg, opts.sender));
    }
    return all.result();
  }

  /** Paths registered anywhere reachable (local and remote), for diagnostics and tests. */
  registeredPaths(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const add = (path: string, who: string) => out.set(path, [...(out.get(path) ?? []), who]);
    for (const path of this.paths.keys()) add(path, 'local');
    for (const link of this.host.upLinks()) {
      for (const path of this.remote.get(link.peer.address)?.paths ?? []) add(path, link.peer.address);
    }
    return out;
  }

  /** @internal a frame for a mediator path arrived from another member. */
  deliverPath(path: string, msg: Message, sender: ActorRef | undefined): void {
    const ref = this.paths.get(path);
    if (ref === undefined) {
      const err = new ClusterError('CLUSTER_NO_ROUTE', `nothing registered at ${path} here`, { path });
      this.host.deadLetter(path, msg, err);
      throw err;
    }
    this.host.actors.deliverLocal(ref.path, msg, sender);
  }

  /** @internal delivers to the local subscribers of a topic; a full mailbox drops for that one only. */
  deliverTopic(topic: string, msg: Message, sender: ActorRef | undefined): void {
    for (const ref of this.topics.get(topic) ?? []) {
      try {
        this.host.actors.deliverLocal(ref.path, msg, sender);
      } catch (err) {
        if (!(err instanceof ClusterError)) throw err;
        this.host.logger.warn('dropped a published message', { topic, code: err.code });
      }
    }
  }

  /** @internal sends the full local registry to a new link. */
  snapshotTo(link: Link): void {
    link.sendControl(
      encodeControl(FrameKind.registry, {
        op: 'snapshot',
        paths: [...this.paths.keys()],
        topics: [...this.topics.keys()],
      } satisfies RegistryOp),
    );
  }

  /** @internal applies a registry operation sent by the member at `address`. */
  apply(address: string, op: RegistryOp): void {
    let e = this.remote.get(address);
    if (e === undefined || op.op === 'snapshot') {
      e = { paths: new Set(), topics: new Set() };
      this.remote.set(address, e);
    }
    switch (op.op) {
      case 'snapshot':
        for (const p of op.paths) e.paths.add(p);
        for (const t of op.topics) e.topics.add(t);
        break;
      case 'put':
        e.paths.add(op.path);
        break;
      case 'remove':
        e.paths.delete(op.path);
        break;
      case 'subscribe':
        e.topics.add(op.topic);
        break;
      case 'unsubscribe':
        e.topics.delete(op.topic);
        break;
    }
  }

  /** @internal drops every entry of a member that went unreachable or was removed. */
  dropMember(address: string): void {
    this.remote.delete(address);
  }

  private linksWith(pred: (e: RemoteEntries) => boolean): Link[] {
    const out: Link[] = [];
    for (const link of this.host.upLinks()) {
      const e = this.remote.get(link.peer.address);
      if (e !== undefined && pred(e)) out.push(link);
    }
    return out;
  }

  private broadcast(op: RegistryOp): void {
    const frame = encodeControl(FrameKind.registry, op);
    for (const link of this.host.upLinks()) link.sendControl(frame);
  }

  private noRoute(path: string, msg: Message): ClusterError {
    const err = new ClusterError('CLUSTER_NO_ROUTE', `no reachable actor registered at ${path}`, { path });
    this.host.deadLetter(path, msg, err);
    return err;
  }
}

/** Sends to several targets: every one is tried; the first {@link ClusterError} is kept for the end. */
class Fanout {
  private ok = true;
  private error: ClusterError | undefined;

  run(send: () => boolean): void {
    try {
      this.ok = send() && this.ok;
    } catch (err) {
      if (!(err instanceof ClusterError)) throw err;
      this.error ??= err;
    }
  }

  result(): boolean {
    if (this.error !== undefined) throw this.error;
    return this.ok;
  }
}
