/** Fills a node with idle authenticated peers and measures its RSS before and after. */
import { randomPrivateKey } from '@shoal/crypto';
import { type BenchPeer, connectPeer } from './peers.js';
import { type Child, rssKiB, until } from './procs.js';

const DIALERS = Number(process.env.BENCH_DIALERS ?? 64);
/** Idle time before the first RSS reading, so allocations of the start or the fill settle. */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 5000);
/**
 * How long the peers are held idle after the fill, RSS sampled each second; the default covers one
 * frontend ping round (`peer-connection.ping-interval` 30 s) so its ping/pong state is counted.
 */
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 35_000);

export interface HoldOptions {
  name: string;
  port: number;
  nodeId: Uint8Array;
  pid: number;
  child: Child;
  /** Peers to reach (stops earlier at the time bound). */
  target: number;
  connectMs: number;
  /** How many peers the node itself counts as past `init`. */
  ready: () => Promise<number>;
  /** Called at the end of the idle period, while the peers are still connected. */
  onIdle?: () => Promise<void>;
}

export interface HoldResult {
  held: number;
  failures: number;
  connectMs: number;
  rssBefore: number;
  /** RSS at the end of the idle period. */
  rssAfter: number;
  /** Highest RSS sampled during the idle period. */
  rssPeak: number;
  perPeerKiB: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function holdIdle(o: HoldOptions): Promise<HoldResult> {
  await sleep(SETTLE_MS);
  const rssBefore = rssKiB(o.pid);
  const peers: BenchPeer[] = [];
  let started = 0;
  let closed = 0;
  let failures = 0;
  let lastError = '';
  const start = Date.now();
  const deadline = start + o.connectMs;
  const dialer = async (): Promise<void> => {
    while (started < o.target && Date.now() < deadline && failures < 1000) {
      started++;
      try {
        const p = await connectPeer(o.port, o.nodeId, randomPrivateKey());
        p.socket.once('close', () => closed++);
        peers.push(p);
        if (peers.length % 1000 === 0)
          console.log(`${o.name}: ${peers.length} peers, ${((Date.now() - start) / 1000).toFixed(1)} s`);
      } catch (err) {
        started--;
        failures++;
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: DIALERS }, dialer));
  const connectMs = Date.now() - start;
  if (failures > 0) console.log(`${o.name}: ${failures} dial failures, last: ${lastError}`);
  const expected = peers.length - closed;
  await until(
    `${o.name} counts ${expected} ready peers`,
    async () => (await o.ready()) >= expected,
    60_000,
    o.child,
  );
  const idleEnd = Date.now() + IDLE_MS;
  let rssPeak = 0;
  let rssAfter = 0;
  while (Date.now() < idleEnd) {
    await sleep(1000);
    if (o.child.exited()) throw new Error(`${o.name} exited while idle:\n${o.child.tail()}`);
    rssAfter = rssKiB(o.pid);
    rssPeak = Math.max(rssPeak, rssAfter);
  }
  await o.onIdle?.();
  const held = peers.length - closed;
  if (closed > 0) console.log(`${o.name}: ${closed} peers were closed by the node while idle`);
  for (const p of peers) p.socket.destroy();
  await until(`${o.name} drops its peers`, async () => (await o.ready()) === 0, 60_000, o.child);
  return {
    held,
    failures,
    connectMs,
    rssBefore,
    rssAfter,
    rssPeak,
    perPeerKiB: (rssAfter - rssBefore) / held,
  };
}
