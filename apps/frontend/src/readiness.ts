import { EventEmitter } from 'node:events';
import type { ClusterMember, MembershipEvent } from '@shoal/cluster';
import { PATHS } from '@shoal/front-protocol';

/** Events of {@link Readiness}. */
export interface ReadinessEvents {
  ready: [];
  'not-ready': [reason: string];
  /** A backend member (this incarnation) became unreachable or was removed: its connections must go. */
  'backend-lost': [address: string, incarnation: bigint];
  /**
   * A backend member came up while another (at another address) still looked up: with leader
   * election (issue 7) only an elected backend joins as `backend`, so the older one is deposed
   * (frozen or about to exit). Its link is dropped and its connections must go.
   */
  'backend-superseded': [address: string, incarnation: bigint, by: string];
}

/** The role the backend member has on the mesh. */
export const BACKEND_ROLE = 'backend';

/**
 * The load balancer's view of this frontend (flow 8): ready while a backend member is up and
 * `PATHS.switchboard` is registered on it. Membership events are acted on at once; the mediator
 * registry has no events, so it is also checked every `intervalMs`.
 */
export class Readiness extends EventEmitter<ReadinessEvents> {
  private ready_ = false;
  private reason_ = 'starting';
  private timer: NodeJS.Timeout | undefined;
  private readonly onMember = (e: MembershipEvent): void => {
    if (e.member.roles.includes(BACKEND_ROLE)) {
      if (e.kind === 'member-up') this.supersede(e.member.address);
      else if (e.kind !== 'member-reachable')
        this.emit('backend-lost', e.member.address, e.member.incarnation);
    }
    this.check();
  };

  constructor(
    private readonly member: ClusterMember,
    private readonly intervalMs: number,
  ) {
    super();
  }

  get ready(): boolean {
    return this.ready_;
  }

  /** Why the frontend is not ready (empty when it is). */
  get reason(): string {
    return this.ready_ ? '' : this.reason_;
  }

  start(): void {
    for (const kind of ['member-up', 'member-unreachable', 'member-reachable', 'member-removed'] as const) {
      this.member.on(kind, this.onMember);
    }
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.check();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const kind of ['member-up', 'member-unreachable', 'member-reachable', 'member-removed'] as const) {
      this.member.off(kind, this.onMember);
    }
    this.set(false, 'stopping');
  }

  /** Re-evaluates now. */
  check(): void {
    const backends = this.member
      .members()
      .filter((m) => m.roles.includes(BACKEND_ROLE) && m.address !== this.member.address);
    const up = backends.filter((m) => m.status === 'up');
    if (up.length === 0) {
      this.set(false, backends.length === 0 ? 'no backend member joined' : 'backend unreachable');
      return;
    }
    const where = this.member.mediator.registeredPaths().get(PATHS.switchboard) ?? [];
    if (!up.some((m) => where.includes(m.address))) {
      this.set(false, `${PATHS.switchboard} is not registered`);
      return;
    }
    this.set(true, '');
  }

  /**
   * A new backend at `address`: every other backend still seen up is an old leader. Its link is
   * terminated at once, so the mediator stops routing `/backend/switchboard` to it now rather than
   * after the failure detector's threshold (a frozen process keeps its TCP sockets open); it is
   * re-dialled as any unreachable member, and a deposed leader exits as soon as it runs again.
   */
  private supersede(address: string): void {
    for (const m of this.member.members()) {
      if (!m.roles.includes(BACKEND_ROLE) || m.address === address || m.address === this.member.address)
        continue;
      if (m.status !== 'up') continue;
      this.emit('backend-superseded', m.address, m.incarnation, address);
      this.member.linkTo(m.address)?.terminate();
    }
  }

  private set(ready: boolean, reason: string): void {
    if (ready === this.ready_) {
      if (!ready) this.reason_ = reason;
      return;
    }
    this.ready_ = ready;
    this.reason_ = reason;
    if (ready) this.emit('ready');
    else this.emit('not-ready', reason);
  }
}
