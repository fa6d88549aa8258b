import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MemberStatus } from './types.js';

/** Direction of a message on a link. */
export type Direction = 'in' | 'out';

/**
 * The mesh's Prometheus metrics. Labels stay low-cardinality: message type names (a registered,
 * finite set), direction and status; never peer addresses or actor paths.
 */
export class ClusterMetrics {
  private readonly messages: Counter<'type' | 'direction'>;
  private readonly bytes: Counter<'type' | 'direction'>;
  private readonly rtt: Histogram;
  private readonly children = new Map<string, { m: Counter.Internal; b: Counter.Internal }>();

  constructor(
    registry: Registry,
    sources: { queueBytes(): number; links(): number; statuses(): Map<MemberStatus, number> },
  ) {
    this.messages = new Counter({
      name: 'shoal_cluster_messages_total',
      help: 'Mesh messages by type and direction',
      labelNames: ['type', 'direction'],
      registers: [registry],
    });
    this.bytes = new Counter({
      name: 'shoal_cluster_message_bytes_total',
      help: 'Mesh message frame bytes by type and direction',
      labelNames: ['type', 'direction'],
      registers: [registry],
    });
    this.rtt = new Histogram({
      name: 'shoal_cluster_heartbeat_rtt_seconds',
      help: 'Heartbeat round-trip time on mesh links',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    });
    new Gauge({
      name: 'shoal_cluster_link_queue_bytes',
      help: 'Bytes queued on mesh links and not yet written to the socket (sum over links)',
      registers: [registry],
      collect() {
        this.set(sources.queueBytes());
      },
    });
    new Gauge({
      name: 'shoal_cluster_links',
      help: 'Open mesh links',
      registers: [registry],
      collect() {
        this.set(sources.links());
      },
    });
    const statuses: MemberStatus[] = ['joining', 'up', 'unreachable', 'down', 'removed'];
    new Gauge({
      name: 'shoal_cluster_members',
      help: 'Members by status as seen by this member',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        const counts = sources.statuses();
        for (const s of statuses) this.set({ status: s }, counts.get(s) ?? 0);
      },
    });
  }

  message(type: string, direction: Direction, bytes: number): void {
    const key = `${type}\u0000${direction}`;
    let c = this.children.get(key);
    if (c === undefined) {
      c = { m: this.messages.labels(type, direction), b: this.bytes.labels(type, direction) };
      this.children.set(key, c);
    }
    c.m.inc();
    c.b.inc(bytes);
  }

  heartbeatRtt(seconds: number): void {
    this.rtt.observe(seconds);
  }
}
