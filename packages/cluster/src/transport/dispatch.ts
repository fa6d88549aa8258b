import type { ActorSystem } from '../actors/system.js';
import {
  decodeControl,
  decodeMessageFrame,
  decodePing,
  encodePing,
  FrameKind,
  parseRegistryOp,
  TargetMode,
} from '../codec/frame.js';
import type { CodecRegistry } from '../codec/registry.js';
import { ClusterError, errorMessage } from '../errors.js';
import type { Mediator } from '../mediator/mediator.js';
import type { ClusterMetrics } from '../metrics.js';
import type { Logger } from '../types.js';
import type { Link } from './link.js';

/** What frame dispatch needs from its member. */
export interface FrameHost {
  codecs: CodecRegistry;
  logger: Logger;
  actors(): ActorSystem;
  mediator(): Mediator;
  metrics(): ClusterMetrics | undefined;
  gossip(body: unknown): void;
  left(link: Link): void;
}

/**
 * Handles one frame from an established link. A malformed or unknown frame is logged and dropped
 * and the link stays up; an undeliverable message is a dead letter (recorded where it failed).
 */
export function dispatchFrame(host: FrameHost, link: Link, data: Buffer): void {
  try {
    switch (data[0]) {
      case FrameKind.message:
        onMessage(host, data);
        break;
      case FrameKind.ping:
        link.sendControl(encodePing(FrameKind.pong, decodePing(data)));
        break;
      case FrameKind.pong:
        host.metrics()?.heartbeatRtt(Number(process.hrtime.bigint() - decodePing(data)) / 1e9);
        break;
      case FrameKind.gossip:
        host.gossip(decodeControl(data));
        break;
      case FrameKind.leave:
        host.left(link);
        break;
      case FrameKind.registry:
        host.mediator().apply(link.peer.address, parseRegistryOp(decodeControl(data)));
        break;
      default:
        throw new ClusterError('CLUSTER_BAD_FRAME', `unexpected frame kind ${data[0] ?? 'none'}`);
    }
  } catch (err) {
    const peer = link.peer.address;
    if (err instanceof ClusterError && err.code === 'CLUSTER_BAD_FRAME') {
      host.logger.warn('dropped a malformed frame', { peer, error: err.message, bytes: data.length });
    } else if (err instanceof ClusterError) {
      host.logger.debug('message not delivered', { peer, code: err.code, error: err.message });
    } else {
      host.logger.error('error handling a mesh frame', { peer, error: errorMessage(err) });
    }
  }
}

function onMessage(host: FrameHost, data: Buffer): void {
  const f = decodeMessageFrame(data);
  const msg = host.codecs.decode(f.typeId, f.payload);
  host.metrics()?.message(msg.type.name, 'in', data.length);
  if (f.mode === TargetMode.actor) host.actors().deliverLocal(f.target, msg, f.sender);
  else if (f.mode === TargetMode.path) host.mediator().deliverPath(f.target, msg, f.sender);
  else host.mediator().deliverTopic(f.target, msg, f.sender);
}
