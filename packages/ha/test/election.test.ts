import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMetricsRegistry } from '@shoal/metrics';
import { Etcd3 } from 'etcd3';
import { EtcdElector, isHaError, type Leadership, startEtcd, type TestEtcd } from '../src/index.js';
import { aborted, until, within } from './helpers/wait.js';

const TTL = 2;

describe('EtcdElector on a real etcd', { timeout: 120_000 }, () => {
  let etcd: TestEtcd;
  const electors: EtcdElector[] = [];
  let cluster = 0;
  let inspect: Etcd3;
  /** Keys under the elector's election prefix. */
  const countKeys = (e: EtcdElector) => inspect.getAll().prefix(e.electionPrefix).count();

  before(async () => {
    etcd = await startEtcd();
    inspect = new Etcd3({ hosts: etcd.endpoint });
  });
  after(async () => {
    await Promise.allSettled(electors.map((e) => e.stop()));
    inspect?.close();
    await etcd?.stop();
  });

  const elector = async (
    clusterId: string,
    candidateId: string,
    metrics?: ReturnType<typeof createMetricsRegistry>,
  ) => {
    const e = new EtcdElector(
      { metrics },
      {
        endpoints: [etcd.endpoint],
        clusterId,
        candidateId,
        ttlSeconds: TTL,
        advertise: `http://${candidateId}`,
      },
    );
    electors.push(e);
    await e.start();
    return e;
  };

  it('a single candidate wins, observers see it, metrics follow', { timeout: 20_000 }, async () => {
    const id = `c${cluster++}`;
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const a = await elector(id, 'a', registry);
    const observer = await a.observe();
    assert.equal(observer.current, undefined);
    const lead = await within(a.campaign(), 10_000, 'campaign');
    assert.ok(lead.isLeader());
    assert.ok(lead.epoch > 0n);
    assert.equal(lead.id, 'a');
    await until(() => observer.current?.epoch === lead.epoch, 5000, 'observer to see the leader');
    assert.deepEqual(observer.current, { id: 'a', epoch: lead.epoch, advertise: 'http://a' });
    const text = await registry.metrics();
    assert.match(text, /^shoal_leader 1$/m);
    assert.match(text, new RegExp(`^shoal_leader_epoch ${lead.epoch}$`, 'm'));
    assert.match(text, /^shoal_leader_elections_total 1$/m);
    await lead.resign();
    assert.ok(lead.signal.aborted);
    assert.ok(isHaError(lead.signal.reason, 'HA_RESIGNED'));
    assert.equal(lead.isLeader(), false);
    assert.throws(
      () => lead.assertLeader(),
      (err) => isHaError(err, 'HA_RESIGNED'),
    );
    await until(() => observer.current === undefined, 5000, 'observer to see no leader');
    assert.match(await registry.metrics(), /^shoal_leader 0$/m);
    await observer.close();
  });

  it('two candidates: exactly one leads; the other takes over on resign with a greater epoch', {
    timeout: 30_000,
  }, async () => {
    const id = `c${cluster++}`;
    const a = await elector(id, 'a');
    const b = await elector(id, 'b');
    const observer = await a.observe();
    const leadA = await within(a.campaign(), 10_000, 'a campaign');
    let leadB: Leadership | undefined;
    const campaignB = b.campaign().then((l) => {
      leadB = l;
      return l;
    });
    // b has put its key (two candidates under the prefix) but must not lead while a does.
    await until(async () => (await countKeys(a)) === 2, 5000, "b's key");
    assert.equal(leadB, undefined);
    assert.ok(leadA.isLeader());
    assert.equal(observer.current?.id, 'a');
    await leadA.resign();
    const lb = await within(campaignB, 10_000, 'b takes over');
    assert.ok(lb.isLeader());
    assert.ok(lb.epoch > leadA.epoch, `epoch ${lb.epoch} > ${leadA.epoch}`);
    await until(() => observer.current?.id === 'b', 5000, 'observer to see b');
    // a campaigns again: it queues behind b, and wins after b resigns, with a greater epoch again.
    const again = a.campaign();
    await until(async () => (await countKeys(a)) === 2, 5000, "a's new key");
    await lb.resign();
    const la2 = await within(again, 10_000, 'a again');
    assert.ok(la2.epoch > lb.epoch);
    await la2.resign();
    await observer.close();
  });

  it('etcd stopped: the leader steps down within the TTL; etcd back: a leader again', {
    timeout: 60_000,
  }, async () => {
    const id = `c${cluster++}`;
    const a = await elector(id, 'a');
    const lead = await within(a.campaign(), 10_000, 'campaign');
    const deadline = (lead as unknown as { deadline: number }).deadline;
    await etcd.kill();
    const killedAt = performance.now();
    const reason = await aborted(lead.signal, TTL * 1000 + 2000);
    const lostAt = performance.now();
    assert.ok(isHaError(reason, 'HA_LEASE_EXPIRED'), String(reason));
    assert.equal(lead.isLeader(), false);
    // The local deadline was at most TTL after the kill, and the loss fired at it.
    assert.ok(deadline - killedAt <= TTL * 1000, `deadline ${deadline - killedAt} ms after the kill`);
    assert.ok(
      lostAt - killedAt < TTL * 1000 + 1000,
      `stepped down ${Math.round(lostAt - killedAt)} ms after the kill`,
    );
    await etcd.restart();
    const lead2 = await within(a.campaign(), 20_000, 'campaign after etcd restart');
    assert.ok(lead2.isLeader());
    assert.ok(lead2.epoch > lead.epoch);
    await lead2.resign();
  });

  it('stop() ends a campaign with HA_STOPPED and a leadership too', { timeout: 20_000 }, async () => {
    const id = `c${cluster++}`;
    const a = await elector(id, 'a');
    const b = await elector(id, 'b');
    const lead = await within(a.campaign(), 10_000, 'campaign');
    // Settled into a value at once: it rejects during b.stop(), before any assertion could await it.
    const pending = b.campaign().then(
      () => undefined,
      (err: unknown) => err,
    );
    await until(async () => (await countKeys(a)) === 2, 5000, "b's key");
    await b.stop();
    assert.ok(isHaError(await pending, 'HA_STOPPED'));
    await a.stop();
    assert.ok(isHaError(lead.signal.reason, 'HA_STOPPED'));
  });
});
