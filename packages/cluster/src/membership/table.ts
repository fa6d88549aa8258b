import { type PeerIdentity, parseIdentity } from '../codec/frame.js';
import { ClusterError } from '../errors.js';
import type { Link } from '../transport/link.js';
import type { Logger, MemberInfo, MemberStatus, MembershipEvent } from '../types.js';

/** What the local member knows of another member. */
export interface Entry {
  id: PeerIdentity;
  status: MemberStatus;
  link: Link | undefined;
  unreachableSince: number;
}

/**
 * The local view of the membership: one entry per address (the newest incarnation), tombstones of
 * removed incarnations so gossip cannot bring them back.
 */
export class MemberTable {
  readonly entries = new Map<string, Entry>();
  private readonly tombstones = new Set<string>();

  constructor(
    private readonly logger: Logger,
    private readonly onEvent: (kind: MembershipEvent['kind'], e: Entry) => void,
    private readonly dropRegistry: (address: string) => void,
  ) {}

  isRemoved(id: { address: string; incarnation: bigint }): boolean {
    return this.tombstones.has(`${id.address}#${id.incarnation}`);
  }

  /** Up and unreachable: drops its registry entries and tells the subscribers. */
  markUnreachable(e: Entry, why: string): void {
    if (e.status !== 'up') return;
    e.status = 'unreachable';
    e.unreachableSince = Date.now();
    this.dropRegistry(e.id.address);
    this.logger.warn('member unreachable', { address: e.id.address, why });
    this.onEvent('member-unreachable', e);
  }

  /** Forgets the incarnation for good (a restart joins as a new one). */
  remove(e: Entry, why: string): void {
    e.link?.terminate();
    e.link = undefined;
    e.status = 'removed';
    this.entries.delete(e.id.address);
    this.tombstones.add(`${e.id.address}#${e.id.incarnation}`);
    this.dropRegistry(e.id.address);
    this.logger.warn('member removed', { address: e.id.address, why });
    this.onEvent('member-removed', e);
  }

  /** Marks silent members unreachable and removes those unreachable for longer than `downAfterMs`. */
  detect(now: number, thresholdMs: number, downAfterMs: number): void {
    for (const e of [...this.entries.values()]) {
      if (e.status === 'up' && e.link !== undefined && now - e.link.lastSeen > thresholdMs) {
        const link = e.link;
        e.link = undefined;
        link.terminate();
        this.markUnreachable(e, `silent for ${now - link.lastSeen} ms`);
      } else if (e.status === 'up' && e.link === undefined && now - e.unreachableSince > thresholdMs) {
        this.markUnreachable(e, 'the surviving link of a simultaneous dial never came');
      } else if (e.status === 'unreachable' && now - e.unreachableSince > downAfterMs) {
        this.remove(e, `unreachable for ${now - e.unreachableSince} ms`);
      }
    }
  }

  /** Identities of the members that are up, for gossip. */
  upIdentities(): PeerIdentity[] {
    return [...this.entries.values()].filter((e) => e.status === 'up').map((e) => e.id);
  }

  /** Members in a gossip body that are new to us (or a newer incarnation), never removed ones. */
  unknownIn(body: unknown, self: string): PeerIdentity[] {
    const list = (body as { members?: unknown } | null)?.members;
    if (!Array.isArray(list)) throw new ClusterError('CLUSTER_BAD_FRAME', 'malformed gossip');
    const out: PeerIdentity[] = [];
    for (const raw of list) {
      const id = parseIdentity(raw);
      if (id.address === self || this.isRemoved(id)) continue;
      const e = this.entries.get(id.address);
      if (e === undefined || e.id.incarnation < id.incarnation) out.push(id);
    }
    return out;
  }

  *upLinks(): Iterable<Link> {
    for (const e of this.entries.values()) if (e.status === 'up' && e.link?.isOpen === true) yield e.link;
  }

  linkTo(address: string): Link | undefined {
    const e = this.entries.get(address);
    return e?.status === 'up' && e.link?.isOpen === true ? e.link : undefined;
  }

  statusCounts(): Map<MemberStatus, number> {
    const m = new Map<MemberStatus, number>();
    for (const e of this.entries.values()) m.set(e.status, (m.get(e.status) ?? 0) + 1);
    return m;
  }
}

export function info(e: Entry): MemberInfo {
  return { ...e.id, status: e.status };
}
