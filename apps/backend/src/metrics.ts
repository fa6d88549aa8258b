import { MESSAGES_TOTAL, type MetricDef, metric, PEER_CONNECTIONS, type Registry } from '@shoal/metrics';
import { messageName } from '@shoal/wire';

/** Backend-only metrics (the shared names live in `@shoal/metrics`). */
export const PEER_DISCONNECTS_TOTAL = {
  kind: 'counter',
  name: 'shoal_peer_disconnects_total',
  help: 'Peers marked disconnected by the backend, by cause (closed, frontend_down, api).',
  labelNames: ['cause'],
} as const satisfies MetricDef<'counter', 'cause'>;

export const CONNECT_REQUESTS_TOTAL = {
  kind: 'counter',
  name: 'shoal_connect_requests_total',
  help: 'Outgoing connection requests by result (ok, failed, timeout, no_frontend) and origin (api, reconnect).',
  labelNames: ['result', 'origin'],
} as const satisfies MetricDef<'counter', 'result' | 'origin'>;

export const API_REQUEST_SECONDS = {
  kind: 'histogram',
  name: 'shoal_api_request_seconds',
  help: 'API calls by call name and HTTP status.',
  labelNames: ['call', 'status'],
  buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 1, 5, 30],
} as const satisfies MetricDef<'histogram', 'call' | 'status'>;

/** Why a peer went down, as counted. */
export type DisconnectCause = 'closed' | 'frontend_down' | 'api';

/** The backend's metric updates, over one registry. */
export class BackendMetrics {
  private readonly connections;
  private readonly messages;
  private readonly disconnects;
  private readonly requests;
  private readonly api;

  constructor(registry: Registry) {
    this.connections = metric(registry, PEER_CONNECTIONS);
    this.messages = metric(registry, MESSAGES_TOTAL);
    this.disconnects = metric(registry, PEER_DISCONNECTS_TOTAL);
    this.requests = metric(registry, CONNECT_REQUESTS_TOTAL);
    this.api = metric(registry, API_REQUEST_SECONDS);
  }

  /** Connected peers (state `ready`, as the frontends label theirs). */
  setConnected(n: number): void {
    this.connections.labels('ready').set(n);
  }

  message(type: number, direction: 'in' | 'out'): void {
    this.messages
      .labels(messageName(type) ?? (type % 2 === 1 ? 'unknown_odd' : 'unknown_even'), direction)
      .inc();
  }

  disconnected(cause: DisconnectCause): void {
    this.disconnects.labels(cause).inc();
  }

  connectRequest(result: 'ok' | 'failed' | 'timeout' | 'no_frontend', origin: 'api' | 'reconnect'): void {
    this.requests.labels(result, origin).inc();
  }

  apiRequest(call: string, status: number, seconds: number): void {
    this.api.labels(call, String(status)).observe(seconds);
  }
}
