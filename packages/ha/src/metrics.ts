import {
  type Counter,
  type Gauge,
  type Histogram,
  LEADER,
  LEADER_CHANGES_TOTAL,
  type MetricDef,
  metric,
  type Registry,
} from '@shoal/metrics';

/** `shoal_leader_epoch`: the fencing epoch of our leadership (0 while we follow). */
export const LEADER_EPOCH: MetricDef<'gauge', never> = {
  kind: 'gauge',
  name: 'shoal_leader_epoch',
  help: 'Fencing epoch (etcd revision of the election key) while this process leads, else 0.',
  labelNames: [],
};

/** `shoal_leader_elections_total`: elections this process won. */
export const LEADER_ELECTIONS_TOTAL: MetricDef<'counter', never> = {
  kind: 'counter',
  name: 'shoal_leader_elections_total',
  help: 'Elections won by this process.',
  labelNames: [],
};

/** `shoal_leader_takeover_seconds`: from the previous leader's disappearance to our election. */
export const LEADER_TAKEOVER_SECONDS: MetricDef<'histogram', never> = {
  kind: 'histogram',
  name: 'shoal_leader_takeover_seconds',
  help: "Time from the previous leader's key disappearing (or campaign start) to this process being elected.",
  labelNames: [],
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
};

/** The metrics an elector updates; all no-ops without a registry. */
export class HaMetrics {
  readonly #leader: Gauge | undefined;
  readonly #changes: Counter | undefined;
  readonly #epoch: Gauge | undefined;
  readonly #elections: Counter | undefined;
  readonly #takeover: Histogram | undefined;

  constructor(registry: Registry | undefined) {
    this.#leader = registry && metric(registry, LEADER);
    this.#changes = registry && metric(registry, LEADER_CHANGES_TOTAL);
    this.#epoch = registry && metric(registry, LEADER_EPOCH);
    this.#elections = registry && metric(registry, LEADER_ELECTIONS_TOTAL);
    this.#takeover = registry && metric(registry, LEADER_TAKEOVER_SECONDS);
    this.#leader?.set(0);
    this.#epoch?.set(0);
  }

  elected(epoch: bigint, takeoverMs: number): void {
    this.#leader?.set(1);
    // A gauge is a float: exact up to 2^53, far beyond any etcd revision we will see.
    this.#epoch?.set(Number(epoch));
    this.#elections?.inc();
    this.#changes?.inc();
    this.#takeover?.observe(takeoverMs / 1000);
  }

  lost(): void {
    this.#leader?.set(0);
    this.#epoch?.set(0);
    this.#changes?.inc();
  }
}
