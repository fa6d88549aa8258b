import { GossipError } from './errors.js';
import { RoutingGraph } from './graph.js';
import type { GraphDelta } from './types.js';

/** Result of {@link GraphReplica.applyDeltas}. */
export type ReplicaApply = 'applied' | 'buffered' | 'old' | 'gap';

/**
 * A frontend's in-memory copy of the backend graph (DESIGN 4 "Routing table on frontends"):
 * delta batches that arrive while the snapshot streams are buffered, batches the snapshot already
 * reflects are skipped, and a missing batch makes the copy not ready (fetch a new snapshot).
 */
export class GraphReplica {
  graph = new RoutingGraph();
  #seq = -1;
  #loading: { seq: number } | undefined;
  #buffer: { seq: number; deltas: readonly GraphDelta[] }[] = [];
  #ready = false;

  /** True once a snapshot is loaded and every batch since has been applied (`/ready`). */
  get ready(): boolean {
    return this.#ready;
  }

  get seq(): number {
    return this.#seq;
  }

  /** Starts loading a snapshot that reflects batches up to `seq`; the old copy is dropped. */
  beginSnapshot(seq: number): void {
    this.graph = new RoutingGraph();
    this.#loading = { seq };
    this.#ready = false;
  }

  applySnapshotBatch(batch: readonly GraphDelta[]): void {
    if (!this.#loading) throw new GossipError('GOSSIP_BAD_DELTA', 'snapshot batch outside a snapshot');
    this.graph.apply(batch);
  }

  /** Ends the snapshot and applies the buffered batches that follow it. */
  endSnapshot(): ReplicaApply {
    if (!this.#loading) throw new GossipError('GOSSIP_BAD_DELTA', 'endSnapshot without beginSnapshot');
    this.#seq = this.#loading.seq;
    this.#loading = undefined;
    this.#ready = true;
    const buffered = this.#buffer.sort((a, b) => a.seq - b.seq);
    this.#buffer = [];
    let result: ReplicaApply = 'applied';
    for (const b of buffered) {
      const r = this.applyDeltas(b.deltas, b.seq);
      if (r === 'gap') result = r;
    }
    return result;
  }

  /** Applies one published batch in sequence. */
  applyDeltas(deltas: readonly GraphDelta[], seq: number): ReplicaApply {
    if (this.#loading || this.#seq < 0) {
      this.#buffer.push({ seq, deltas });
      return 'buffered';
    }
    if (seq <= this.#seq) return 'old';
    if (seq !== this.#seq + 1) {
      this.#ready = false;
      return 'gap';
    }
    if (!this.#ready) return 'gap';
    this.graph.apply(deltas);
    this.#seq = seq;
    return 'applied';
  }
}
