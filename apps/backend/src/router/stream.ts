import type { ActorRef, ClusterMember, MembershipEvent, Message } from '@shoal/cluster';
import type { GraphDelta } from '@shoal/gossip';
import { BackendError } from '../errors.js';

/** A link stays saturated this long at most before the stream is given up (the frontend asks again). */
const DRAIN_TIMEOUT_MS = 30_000;

/** Encoded size of a delta in `GraphSnapshot`/`GraphDeltas` (front-protocol's `writeDeltas`), rounded up. */
export function deltaBytes(d: GraphDelta): number {
  switch (d.kind) {
    case 'channel_added':
      return 19 + d.announcement.length;
    case 'channel_updated':
      return 12 + d.update.length;
    case 'node_updated':
      return 36 + d.announcement.length;
    default:
      return 34;
  }
}

/** Splits deltas into consecutive batches of at most `maxBytes` encoded bytes each (never empty). */
export function splitBySize(deltas: readonly GraphDelta[], maxBytes: number): GraphDelta[][] {
  const out: GraphDelta[][] = [];
  let cur: GraphDelta[] = [];
  let size = 0;
  for (const d of deltas) {
    const n = deltaBytes(d);
    if (cur.length > 0 && size + n > maxBytes) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(d);
    size += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * Sends `messages` to `target` in order, pausing while the mesh link to it is saturated (the
 * member's `drain` event) rather than queueing a whole graph in memory. Rejects when the target
 * becomes unreachable, a send fails, or the link stays saturated for {@link DRAIN_TIMEOUT_MS}.
 */
export async function sendPaced(
  member: ClusterMember,
  target: ActorRef,
  messages: Iterable<Message>,
  sender: ActorRef,
): Promise<number> {
  let sent = 0;
  for (const msg of messages) {
    const flowing = member.tell(target, msg, sender);
    sent++;
    if (!flowing) await drained(member, target.address);
  }
  return sent;
}

function drained(member: ClusterMember, address: string): Promise<void> {
  if (member.canSend(address)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (err?: BackendError): void => {
      clearTimeout(timer);
      member.off('drain', onDrain);
      member.off('member-unreachable', onGone);
      member.off('member-removed', onGone);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onDrain = (a: string): void => {
      if (a === address) done();
    };
    const onGone = (e: MembershipEvent): void => {
      if (e.member.address === address) {
        done(new BackendError('BACKEND_BAD_STATE', `mesh member ${address} went away`, { address }));
      }
    };
    const timer = setTimeout(
      () =>
        done(new BackendError('BACKEND_BAD_STATE', `mesh link to ${address} stayed saturated`, { address })),
      DRAIN_TIMEOUT_MS,
    );
    member.on('drain', onDrain);
    member.on('member-unreachable', onGone);
    member.on('member-removed', onGone);
  });
}
