import { CodecRegistry } from '../codec/registry.js';
import { ClusterError } from '../errors.js';
import type { MemberInfo, MemberStatus, MembershipEvent } from '../types.js';

const KINDS = new Set(['member-up', 'member-unreachable', 'member-reachable', 'member-removed']);
const STATUSES = new Set(['joining', 'up', 'unreachable', 'down', 'removed']);

/** Membership events delivered to subscribed actors (reserved type id 0xff01, JSON payload). */
export const membershipEventType = new CodecRegistry().registerReserved<MembershipEvent>(
  0xff01,
  'cluster.membership-event',
  (e) =>
    Buffer.from(
      JSON.stringify({ ...e, member: { ...e.member, incarnation: e.member.incarnation.toString() } }),
    ),
  (b) => {
    const o = JSON.parse(Buffer.from(b).toString('utf8')) as {
      kind?: unknown;
      member?: Record<string, unknown>;
    };
    const m = o.member;
    if (
      typeof o.kind !== 'string' ||
      !KINDS.has(o.kind) ||
      m === undefined ||
      typeof m.address !== 'string' ||
      typeof m.incarnation !== 'string' ||
      typeof m.status !== 'string' ||
      !STATUSES.has(m.status) ||
      typeof m.protocolVersion !== 'number' ||
      !Array.isArray(m.roles)
    ) {
      throw new ClusterError('CLUSTER_BAD_FRAME', 'malformed membership event');
    }
    const member: MemberInfo = {
      address: m.address,
      incarnation: BigInt(m.incarnation),
      roles: m.roles.map(String),
      protocolVersion: m.protocolVersion,
      status: m.status as MemberStatus,
    };
    return { kind: o.kind as MembershipEvent['kind'], member };
  },
);
