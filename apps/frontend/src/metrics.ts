import {
  type Counter,
  FRONT_GOSSIP_IN_FLIGHT,
  FRONT_GOSSIP_QUERIES_TOTAL,
  FRONT_GOSSIP_REBROADCAST_TOTAL,
  FRONT_GOSSIP_RECEIVED_TOTAL,
  FRONT_GRAPH_SIZE,
  type Gauge,
  HANDSHAKES_TOTAL,
  type Histogram,
  KEY_PROVIDER_ERRORS_TOTAL,
  MESSAGES_TOTAL,
  metric,
  PEER_CONNECTIONS,
  PING_RTT_SECONDS,
  type Registry,
} from '@shoal/metrics';
import { messageName } from '@shoal/wire';

/** States a peer connection is counted in (`shoal_peer_connections{state}`). */
export type ConnectionState = 'handshake' | 'init' | 'ready';

/** What became of one gossip message received from a peer. */
export type GossipOutcome = 'new' | 'duplicate' | 'invalid' | 'ignored';

/** The frontend's metrics (names from `@shoal/metrics`); every method is a no-op without a registry. */
export class FrontendMetrics {
  private readonly connections: Gauge<'state'> | undefined;
  private readonly handshakes: Counter<'direction' | 'result'> | undefined;
  private readonly messages: Counter<'type' | 'direction'> | undefined;
  private readonly pingRtt: Histogram<string> | undefined;
  private readonly keyErrors: Counter<'provider'> | undefined;
  private readonly gossipIn: Counter<'type' | 'outcome'> | undefined;
  private readonly gossipQueries: Counter<'type'> | undefined;
  private readonly rebroadcast: Counter<string> | undefined;
  private readonly graph: Gauge<'kind'> | undefined;
  private readonly inFlight: Gauge<string> | undefined;

  constructor(registry: Registry | undefined) {
    if (registry === undefined) return;
    this.connections = metric(registry, PEER_CONNECTIONS);
    this.handshakes = metric(registry, HANDSHAKES_TOTAL);
    this.messages = metric(registry, MESSAGES_TOTAL);
    this.pingRtt = metric(registry, PING_RTT_SECONDS);
    this.keyErrors = metric(registry, KEY_PROVIDER_ERRORS_TOTAL);
    this.gossipIn = metric(registry, FRONT_GOSSIP_RECEIVED_TOTAL);
    this.gossipQueries = metric(registry, FRONT_GOSSIP_QUERIES_TOTAL);
    this.rebroadcast = metric(registry, FRONT_GOSSIP_REBROADCAST_TOTAL);
    this.graph = metric(registry, FRONT_GRAPH_SIZE);
    this.inFlight = metric(registry, FRONT_GOSSIP_IN_FLIGHT);
    for (const state of ['handshake', 'init', 'ready'] as const) this.connections.set({ state }, 0);
  }

  /** A connection moved from one state to another (`undefined`: created or gone). */
  transition(from: ConnectionState | undefined, to: ConnectionState | undefined): void {
    if (from !== undefined) this.connections?.dec({ state: from });
    if (to !== undefined) this.connections?.inc({ state: to });
  }

  handshake(direction: 'in' | 'out', result: 'ok' | 'failed' | 'timeout'): void {
    this.handshakes?.inc({ direction, result });
  }

  /** One Lightning message; the label is the BOLT name, `unknown` otherwise (bounded cardinality). */
  message(typeId: number, direction: 'in' | 'out'): void {
    this.messages?.inc({ type: messageName(typeId) ?? 'unknown', direction });
  }

  pingRoundTrip(seconds: number): void {
    this.pingRtt?.observe(seconds);
  }

  keyProviderError(provider: string): void {
    this.keyErrors?.inc({ provider });
  }

  // ---- gossip (frontend router) ---------------------------------------------------------------

  gossipReceived(type: string, outcome: GossipOutcome): void {
    this.gossipIn?.inc({ type, outcome });
  }

  gossipQuery(type: string): void {
    this.gossipQueries?.inc({ type });
  }

  gossipRebroadcast(messages: number): void {
    this.rebroadcast?.inc(messages);
  }

  graphSize(nodes: number, channels: number): void {
    this.graph?.set({ kind: 'nodes' }, nodes);
    this.graph?.set({ kind: 'channels' }, channels);
  }

  gossipInFlight(n: number): void {
    this.inFlight?.set(n);
  }
}
