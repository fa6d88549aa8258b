/** Minimal structured logger; any structurally compatible logger (pino, @shoal/log) works. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger that discards everything (tests, benches). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Address of an actor anywhere in the cluster: the member's `host:port`, the member's incarnation
 * (a restarted process is a new incarnation, so refs to the old one fail fast) and the actor path.
 */
export interface ActorRef {
  readonly address: string;
  readonly incarnation: bigint;
  readonly path: string;
}

import type { ClusterError } from './errors.js';

/** Lifecycle of a member as seen by the local member. */
export type MemberStatus = 'joining' | 'up' | 'unreachable' | 'down' | 'removed';

/** One member of the cluster. */
export interface MemberInfo {
  readonly address: string;
  readonly incarnation: bigint;
  readonly roles: readonly string[];
  readonly protocolVersion: number;
  readonly status: MemberStatus;
}

/** Membership events, also delivered to subscribed actors as {@link MembershipEvent} messages. */
export interface MembershipEvent {
  readonly kind: 'member-up' | 'member-unreachable' | 'member-reachable' | 'member-removed';
  readonly member: MemberInfo;
}

/** A message that could not be delivered. */
export interface DeadLetter {
  target: string;
  type: string;
  code: string;
  message: string;
}

/** Events of a {@link ClusterMember}. */
export interface ClusterEvents {
  'member-up': [MembershipEvent];
  'member-unreachable': [MembershipEvent];
  'member-reachable': [MembershipEvent];
  'member-removed': [MembershipEvent];
  'dead-letter': [DeadLetter];
  /** The link to `address` fell back below its high-water mark: producers may resume. */
  drain: [string];
  /** A peer refused us or we refused it (version mismatch, ...). */
  refused: [ClusterError];
}
