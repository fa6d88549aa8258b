/** prom-client's types, re-exported so apps need not depend on it directly. */
export type { Counter, Gauge, Histogram, Registry } from 'prom-client';
export {
  MetricsError,
  type MetricsErrorCode,
  type MetricsErrorJSON,
  type MetricsErrorMeta,
} from './errors.js';
export {
  ALL_METRICS,
  CLUSTER_MEMBERS,
  FRONT_GOSSIP_IN_FLIGHT,
  FRONT_GOSSIP_QUERIES_TOTAL,
  FRONT_GOSSIP_REBROADCAST_TOTAL,
  FRONT_GOSSIP_RECEIVED_TOTAL,
  FRONT_GRAPH_SIZE,
  GOSSIP_DECISIONS_TOTAL,
  GOSSIP_GRAPH_CHANNELS,
  GOSSIP_GRAPH_NODES,
  GOSSIP_VALIDATION_SECONDS,
  HANDSHAKES_TOTAL,
  KEY_PROVIDER_ERRORS_TOTAL,
  LATENCY_BUCKETS,
  LEADER,
  LEADER_CHANGES_TOTAL,
  MESH_LATENCY_SECONDS,
  MESH_LINKS,
  MESH_MESSAGES_TOTAL,
  MESH_QUEUE_DEPTH,
  MESSAGES_TOTAL,
  type MetricDef,
  PEER_CONNECTIONS,
  PING_RTT_SECONDS,
  STORE_ERRORS_TOTAL,
  STORE_TRANSACTION_SECONDS,
} from './names.js';
export {
  createMetricsRegistry,
  type MetricsHandlerOptions,
  type MetricsRegistryOptions,
  metric,
  metricsHandler,
} from './registry.js';
