import type { Registry } from 'prom-client';
import type { CodecRegistry } from './codec/registry.js';
import type { ClusterTls } from './tls/certificate.js';
import type { Logger } from './types.js';

/** Injected collaborators of a {@link ClusterMember}. */
export interface ClusterDeps {
  logger: Logger;
  metrics?: { registry: Registry };
  /** Message codecs; every member must register the same types under the same ids. */
  codecs?: CodecRegistry;
}

/** Options of a {@link ClusterMember}; durations in milliseconds, sizes in bytes. */
export interface ClusterOptions {
  /** Interface to listen on and the host part of this member's address. */
  host: string;
  /** Cluster port (25520 by default in deployments; 0 picks a free one). */
  port: number;
  roles: string[];
  /** `host:port` of the seed nodes (`cluster.seed-nodes`). */
  seedNodes: string[];
  tls: ClusterTls;
  /** Members speaking another version are refused. */
  protocolVersion: number;
  /** Silent this long: unreachable (`cluster.failure-detector.threshold`, default 3000). */
  failureDetectorThresholdMs?: number;
  /** Unreachable this long: removed (`cluster.down-after`, default 10000). */
  downAfterMs?: number;
  /** Default 1000. */
  heartbeatIntervalMs?: number;
  /** Largest frame accepted (ws `maxPayload`, default 1 MiB); a larger send throws `CLUSTER_BAD_FRAME`. */
  maxFrameBytes?: number;
  /** Bytes queued on a link above which `send` reports saturation (default 1 MiB). */
  sendQueueHighWaterMark?: number;
  /** Bytes queued on a link above which `send` throws `CLUSTER_LINK_OVERFLOW` (default 8x the mark). */
  sendQueueMaxBytes?: number;
  /** Default 5000. */
  handshakeTimeoutMs?: number;
  /** Longest pause between attempts to reach a seed or a lost member (default 5000). */
  maxRetryDelayMs?: number;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<ClusterOptions>;

export function resolveOptions(o: ClusterOptions): ResolvedOptions {
  const hwm = o.sendQueueHighWaterMark ?? 1024 * 1024;
  return {
    failureDetectorThresholdMs: 3000,
    downAfterMs: 10_000,
    heartbeatIntervalMs: 1000,
    maxFrameBytes: 1024 * 1024,
    handshakeTimeoutMs: 5000,
    maxRetryDelayMs: 5000,
    ...o,
    sendQueueHighWaterMark: hwm,
    sendQueueMaxBytes: o.sendQueueMaxBytes ?? hwm * 8,
  };
}
