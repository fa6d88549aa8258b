import { GossipError } from './errors.js';

type QueryKind = 'query_channel_range' | 'query_short_channel_ids';

/**
 * The answering side's "one query of each kind in flight per peer" (BOLT 7: a receiver MAY warn
 * a peer that sends a query before the previous one was fully answered). `begin` throws
 * `GOSSIP_QUERY_IN_FLIGHT`; call `end` after the last reply was written.
 */
export class QueryGuard {
  readonly #busy = new Set<string>();

  begin(peer: string, kind: QueryKind): void {
    const key = `${kind}/${peer}`;
    if (this.#busy.has(key)) {
      throw new GossipError('GOSSIP_QUERY_IN_FLIGHT', `${kind} from this peer still being answered`, {
        kind,
      });
    }
    this.#busy.add(key);
  }

  end(peer: string, kind: QueryKind): void {
    this.#busy.delete(`${kind}/${peer}`);
  }

  /** Forgets a disconnected peer. */
  forget(peer: string): void {
    this.end(peer, 'query_channel_range');
    this.end(peer, 'query_short_channel_ids');
  }
}
