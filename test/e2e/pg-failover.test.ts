// Issue 7: the PostgreSQL primary dies under a stream of acknowledged writes through the backend
// API; the synchronous standby is promoted (deploy/postgres/pgha) and the old primary rebuilt as
// its standby. No acknowledged write may be lost, and the node must serve writes again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type HaBackend, running, storedPeers } from '../lib/ha.js';
import { type HaCluster, startHaCluster } from '../lib/ha-cluster.js';
import { eventually } from '../lib/processes.js';

describe('PostgreSQL primary lost under acknowledged writes (pgha promote + rewind)', {
  timeout: 240_000,
}, () => {
  let c: HaCluster;

  before(async () => {
    c = await startHaCluster({ ttl: '2s' });
    c.writer.start();
  });
  after(async () => {
    await c?.stop();
  });

  let ackedAtKill = 0;
  let leaderBefore: HaBackend;
  let pids: (number | undefined)[];

  it('kill -9 of the primary, promote the standby, rebuild the old primary: every acknowledged write is on the new primary', {
    timeout: 120_000,
  }, async () => {
    await c.writer.moreAcks(20, 60_000);
    leaderBefore = await c.waitLeader(10_000);
    pids = c.fronts.map((f) => f.proc.child.pid);
    const oldPrimary = c.db.primary.name;

    await c.db.killPrimary();
    ackedAtKill = c.writer.acked.size;
    await c.db.promoteStandby();
    assert.notEqual(c.db.primary.name, oldPrimary);
    // The promoted server still waits for a synchronous standby before a commit returns (no
    // acknowledged write may live on one host only): rebuild the old primary as that standby.
    await c.db.rebuildStandby();

    // Acknowledged before the kill, or while the primary was gone: all must be there.
    // Acknowledged ones first: the writer keeps going while the database is read.
    const acked = [...c.writer.acked];
    const stored = await storedPeers(c.db);
    const lost = acked.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged writes lost with the primary`);
  });

  it('the node acknowledges writes again (on the new primary); frontends were never restarted', {
    timeout: 60_000,
  }, async (t) => {
    try {
      await c.writer.moreAcks(5, 30_000);
    } finally {
      const errors = c.backends.map((b) => {
        const lines = b.proc
          .output()
          .split('\n')
          .filter((l) => l.includes('"level":"error"'));
        return `${b.name} (${running(b.proc) ? 'running' : 'exited'}): ${lines.length} error lines, last: ${(lines[lines.length - 1] ?? '').slice(0, 300)}`;
      });
      t.diagnostic(
        `acked ${ackedAtKill} before the kill, ${c.writer.acked.size} in all; ${errors.join('; ')}`,
      );
    }
    const leaderAfter = await c.waitLeader(15_000);
    const ackedNow = [...c.writer.acked];
    const again = await storedPeers(c.db);
    assert.deepEqual(
      ackedNow.filter((id) => !again.has(id)),
      [],
      'writes acknowledged after the promotion are on the new primary',
    );
    c.fronts.forEach((f, k) => {
      assert.ok(running(f.proc), `${f.name} exited`);
      assert.equal(f.proc.child.pid, pids[k], `${f.name} was restarted`);
    });
    await eventually('frontends ready', async () => ((await c.frontsReady()) ? true : undefined), 20_000);
    t.diagnostic(
      `leader ${leaderBefore.name} -> ${leaderAfter.name} (${leaderBefore === leaderAfter ? 'same process: its store found the new primary' : 'a failover'})`,
    );
  });
});
