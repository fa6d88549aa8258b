import {
  GOSSIP_DECISIONS_TOTAL,
  GOSSIP_GRAPH_CHANNELS,
  GOSSIP_GRAPH_NODES,
  GOSSIP_VALIDATION_SECONDS,
  metric,
  type Registry,
} from '@shoal/metrics';

/** The router's metric updates over the backend's registry (names in `@shoal/metrics`). */
export class GossipMetrics {
  readonly #decisions;
  readonly #nodes;
  readonly #channels;
  readonly #validation;

  constructor(registry: Registry) {
    this.#decisions = metric(registry, GOSSIP_DECISIONS_TOTAL);
    this.#nodes = metric(registry, GOSSIP_GRAPH_NODES);
    this.#channels = metric(registry, GOSSIP_GRAPH_CHANNELS);
    this.#validation = metric(registry, GOSSIP_VALIDATION_SECONDS);
  }

  /** One decision; `type` is the BOLT 7 message name (`unknown` when it did not decode). */
  decision(type: string, accepted: boolean, reason: string, seconds: number): void {
    this.#decisions.labels(type, accepted ? 'accepted' : 'rejected', accepted ? 'none' : reason).inc();
    this.#validation.labels(type).observe(seconds);
  }

  graph(nodes: number, channels: number): void {
    this.#nodes.set(nodes);
    this.#channels.set(channels);
  }
}
