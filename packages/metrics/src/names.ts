/**
 * Every Shoal metric, in one place so the apps and the Grafana dashboard agree on names, kinds and
 * labels. Labels stay low-cardinality: never a channel id or a Lightning peer id.
 */

/** A metric's definition; `labelNames` fixes its labels' names at the type level. */
export interface MetricDef<K extends 'counter' | 'gauge' | 'histogram', L extends string> {
  readonly kind: K;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Histogram buckets, in the metric's unit. */
  readonly buckets?: readonly number[];
}

const counter = <const L extends string>(name: string, help: string, labelNames: readonly L[]) =>
  ({ kind: 'counter', name, help, labelNames }) as const satisfies MetricDef<'counter', L>;
const gauge = <const L extends string>(name: string, help: string, labelNames: readonly L[]) =>
  ({ kind: 'gauge', name, help, labelNames }) as const satisfies MetricDef<'gauge', L>;
const histogram = <const L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
) => ({ kind: 'histogram', name, help, labelNames, buckets }) as const satisfies MetricDef<'histogram', L>;

/** Latency buckets in seconds: 0.5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

// Peers (frontends): BOLT 8 connections and BOLT 1 messages.
export const PEER_CONNECTIONS = gauge(
  'shoal_peer_connections',
  'Peer connections by state (handshake, init, ready).',
  ['state'],
);
export const HANDSHAKES_TOTAL = counter(
  'shoal_handshakes_total',
  'BOLT 8 handshakes by direction (in, out) and result (ok, failed, timeout).',
  ['direction', 'result'],
);
export const MESSAGES_TOTAL = counter(
  'shoal_messages_total',
  'Lightning messages by type name (BOLT 1/2/7) and direction (in, out).',
  ['type', 'direction'],
);
export const PING_RTT_SECONDS = histogram(
  'shoal_ping_rtt_seconds',
  'Round trip of our ping to the pong (BOLT 1).',
  [],
  LATENCY_BUCKETS,
);
export const KEY_PROVIDER_ERRORS_TOTAL = counter(
  'shoal_key_provider_errors_total',
  'Failures to obtain the node key, by provider (seed, env, aws-sm).',
  ['provider'],
);

// Gossip (BOLT 7): the backend Router's decisions and its canonical graph.
export const GOSSIP_DECISIONS_TOTAL = counter(
  'shoal_gossip_decisions_total',
  'Gossip messages decided, by message type, decision (accepted, rejected) and reject reason (none when accepted).',
  ['type', 'decision', 'reason'],
);
export const GOSSIP_GRAPH_NODES = gauge('shoal_gossip_graph_nodes', 'Nodes in the routing graph.', []);
export const GOSSIP_GRAPH_CHANNELS = gauge(
  'shoal_gossip_graph_channels',
  'Public channels in the routing graph (spent ones included until forgotten).',
  [],
);
export const GOSSIP_VALIDATION_SECONDS = histogram(
  'shoal_gossip_validation_seconds',
  'Time from a gossip message reaching the Router to its decision (validation, chain look-up, store), by type.',
  ['type'],
  LATENCY_BUCKETS,
);

// Gossip on the frontends (issue 6 frontend router).
export const FRONT_GOSSIP_RECEIVED_TOTAL = counter(
  'shoal_front_gossip_received_total',
  'Gossip messages received from peers by type and outcome (new, duplicate, invalid, ignored).',
  ['type', 'outcome'],
);
export const FRONT_GOSSIP_QUERIES_TOTAL = counter(
  'shoal_front_gossip_queries_total',
  'Gossip queries answered, by type (query_channel_range, query_short_channel_ids, gossip_timestamp_filter).',
  ['type'],
);
export const FRONT_GOSSIP_REBROADCAST_TOTAL = counter(
  'shoal_front_gossip_rebroadcast_total',
  'Gossip messages handed to peer connections by the staggered rebroadcast.',
  [],
);
export const FRONT_GRAPH_SIZE = gauge(
  'shoal_front_graph_size',
  "The frontend's graph copy: nodes and channels (kind).",
  ['kind'],
);
export const FRONT_GOSSIP_IN_FLIGHT = gauge(
  'shoal_front_gossip_in_flight',
  'Gossip messages forwarded to the backend Router and waiting for its verdict.',
  [],
);

// Cluster mesh.
export const MESH_LINKS = gauge('shoal_mesh_links', 'Mesh links by remote role and state.', [
  'role',
  'state',
]);
export const MESH_QUEUE_DEPTH = gauge(
  'shoal_mesh_queue_depth',
  'Messages waiting to be sent on mesh links, by remote role.',
  ['role'],
);
export const MESH_MESSAGES_TOTAL = counter(
  'shoal_mesh_messages_total',
  'Mesh messages by direction (in, out).',
  ['direction'],
);
export const MESH_LATENCY_SECONDS = histogram(
  'shoal_mesh_latency_seconds',
  'Mesh request to reply latency, by remote role.',
  ['role'],
  LATENCY_BUCKETS,
);
export const CLUSTER_MEMBERS = gauge(
  'shoal_cluster_members',
  'Cluster members by role and status (up, unreachable, down).',
  ['role', 'status'],
);
export const LEADER = gauge('shoal_leader', '1 while this process is the active backend, else 0.', []);
export const LEADER_CHANGES_TOTAL = counter('shoal_leader_changes_total', 'Leadership changes seen.', []);

// Store (backend).
export const STORE_TRANSACTION_SECONDS = histogram(
  'shoal_store_transaction_seconds',
  'Store transaction latency by operation.',
  ['op'],
  LATENCY_BUCKETS,
);
export const STORE_ERRORS_TOTAL = counter('shoal_store_errors_total', 'Store failures by operation.', ['op']);

/** All definitions, for dashboards and the name-uniqueness test. */
export const ALL_METRICS = [
  PEER_CONNECTIONS,
  HANDSHAKES_TOTAL,
  MESSAGES_TOTAL,
  PING_RTT_SECONDS,
  KEY_PROVIDER_ERRORS_TOTAL,
  GOSSIP_DECISIONS_TOTAL,
  GOSSIP_GRAPH_NODES,
  GOSSIP_GRAPH_CHANNELS,
  GOSSIP_VALIDATION_SECONDS,
  MESH_LINKS,
  MESH_QUEUE_DEPTH,
  MESH_MESSAGES_TOTAL,
  MESH_LATENCY_SECONDS,
  CLUSTER_MEMBERS,
  LEADER,
  LEADER_CHANGES_TOTAL,
  STORE_TRANSACTION_SECONDS,
  STORE_ERRORS_TOTAL,
] as const;
