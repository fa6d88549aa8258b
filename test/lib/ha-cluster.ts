// The issue 7 topology on loopback: etcd, PostgreSQL primary + synchronous standby, two backends
// electing a leader on etcd, two frontends listing both backends as seeds, and a store writer.
import {
  type HaBackend,
  type PgPair,
  running,
  startEtcd,
  startHaBackend,
  startPgPair,
  type TestEtcd,
} from './ha.js';
import { eventually, stopAll } from './processes.js';
import { type FrontendProcess, makeTestNode, startFrontend, type TestNode } from './shoal.js';
import { StoreWriter } from './writer.js';

export interface HaCluster {
  node: TestNode;
  etcd: TestEtcd;
  db: PgPair;
  /** The two backends (entries are replaced by {@link HaCluster.restart}). */
  backends: HaBackend[];
  fronts: FrontendProcess[];
  writer: StoreWriter;
  ttl: string;
  /** The single running backend serving `getinfo`, undefined when none or several do. */
  leader(): Promise<HaBackend | undefined>;
  /** Waits (up to `timeoutMs`) for exactly one serving backend and returns it. */
  waitLeader(timeoutMs: number): Promise<HaBackend>;
  /** Starts `b` again (new process, same datadir and ports); it should join as the standby. */
  restart(b: HaBackend): Promise<HaBackend>;
  /** Every frontend answers `/ready` 200. */
  frontsReady(): Promise<boolean>;
  stop(): Promise<void>;
}

/** Starts the whole topology; on failure whatever started is stopped. */
export async function startHaCluster(opts: { ttl?: string } = {}): Promise<HaCluster> {
  const ttl = opts.ttl ?? '2s';
  const node = await makeTestNode();
  let etcd: TestEtcd | undefined;
  let db: PgPair | undefined;
  let writer: StoreWriter | undefined;
  const stop = async (): Promise<void> => {
    await writer?.stop();
    await stopAll();
    await etcd?.stop();
    await db?.stop();
    node.cleanup();
  };
  try {
    [etcd, db] = await Promise.all([startEtcd(), startPgPair()]);
    const e = etcd;
    const d = db;
    const start = (name: string, ports: { clusterPort?: number; apiPort?: number } = {}) =>
      startHaBackend(node, { name, etcd: e, db: d, ttl, ...ports });
    // One after the other: the first takes the lead on an empty database.
    const backends = [await start('backend')];
    backends.push(await start('backend-b'));
    const leader = async (): Promise<HaBackend | undefined> => {
      const live = backends.filter((b) => running(b.proc));
      const serving = await Promise.all(live.map((b) => b.serves()));
      const l = live.filter((_, i) => serving[i]);
      return l.length === 1 ? l[0] : undefined;
    };
    const waitLeader = (timeoutMs: number): Promise<HaBackend> =>
      eventually('exactly one leader serves', leader, timeoutMs, 50).catch(async (err: unknown) => {
        const states = await Promise.all(backends.map(async (b) => `${b.name}: ${await b.state()}`));
        const tails = backends.map((b) => `--- ${b.name}\n${b.proc.output().slice(-2500)}`).join('\n');
        throw new Error(`${String(err)} (${states.join(', ')})\n${tails}`);
      });
    await waitLeader(30_000);
    const seeds = backends.map((b) => b.clusterPort);
    // The frontends refuse unknown SHOAL_ variables such as the tests' SHOAL_TEST_VERBOSE.
    const env = { SHOAL_TEST_VERBOSE: undefined };
    const fronts = [
      await startFrontend('front1', node, seeds, { env }),
      await startFrontend('front2', node, seeds, { env }),
    ];
    writer = new StoreWriter(leader);
    const w = writer;
    return {
      node,
      etcd: e,
      db: d,
      backends,
      fronts,
      writer: w,
      ttl,
      leader,
      waitLeader,
      async restart(b) {
        const i = backends.indexOf(b);
        if (i < 0) throw new Error(`${b.name} is not one of the cluster's backends`);
        const again = await start(b.name, { clusterPort: b.clusterPort, apiPort: b.apiPort });
        backends[i] = again;
        return again;
      },
      frontsReady: async () => (await Promise.all(fronts.map((f) => f.ready()))).every((r) => r),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
