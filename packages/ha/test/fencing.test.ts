import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore, startPostgres, type TestPostgres } from '@shoal/store';
import { fenceStore, HaError, isHaError, NoneElector } from '../src/index.js';

describe('fenceStore and the none elector (real PostgreSQL)', { timeout: 60_000 }, () => {
  let pg: TestPostgres;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg?.stop();
  });

  it('the epoch changed behind a running leader: its next write is refused, leadership ends, nothing written', {
    timeout: 20_000,
  }, async () => {
    const url = await pg.createDatabase('fence_behind');
    const elector = new NoneElector({}, { candidateId: 'solo' });
    const lead = await elector.campaign();
    assert.equal(lead.epoch, 1n);
    const store = await openPostgresStore({ url, epoch: lead.epoch });
    const fenced = fenceStore(store, lead);
    await fenced.transaction((tx) => tx.meta.put('before', Buffer.from('1')));
    // Another backend (as CLN's data_version test does by hand) claims a newer epoch.
    const other = await openPostgresStore({ url, epoch: 7n });
    await assert.rejects(
      fenced.transaction((tx) => tx.meta.put('after', Buffer.from('1'))),
      (err) => isHaError(err, 'HA_FENCED') && /epoch 1 is stale/.test(err.message),
    );
    assert.ok(lead.signal.aborted);
    assert.ok(isHaError(lead.signal.reason, 'HA_FENCED'));
    assert.equal(await other.read((tx) => tx.meta.get('after')), undefined);
    assert.equal(Buffer.from((await other.read((tx) => tx.meta.get('before'))) ?? []).toString(), '1');
    // Once ended, the leadership refuses before reaching the store.
    await assert.rejects(
      fenced.transaction(async () => undefined),
      (err) => isHaError(err, 'HA_FENCED'),
    );
    await store.close();
    await other.close();
    await elector.stop();
  });

  it('none elector: epoch is the store epoch plus one; observers see the leader; abandon ends it', {
    timeout: 20_000,
  }, async () => {
    const url = await pg.createDatabase('none_epoch');
    const first = await openPostgresStore({ url, epoch: 41n });
    await first.close();
    const store = await openPostgresStore({ url });
    const elector = new NoneElector({}, { candidateId: 'solo', currentEpoch: () => store.databaseEpoch() });
    const observer = await elector.observe();
    const seen: (string | undefined)[] = [];
    observer.onChange((l) => seen.push(l && `${l.id}@${l.epoch}`));
    const lead = await elector.campaign();
    assert.equal(lead.epoch, 42n);
    assert.ok(lead.isLeader());
    await store.claimEpoch(lead.epoch);
    assert.throws(
      () => fenceStore(first, lead),
      (err) => isHaError(err, 'HA_BAD_OPTIONS'),
    );
    lead.abandon(new HaError('HA_NOT_LEADER', 'test'));
    assert.equal(lead.isLeader(), false);
    assert.deepEqual(seen, ['solo@42', undefined]);
    await observer.close();
    await store.close();
  });

  it('HaError crosses a process boundary as JSON', () => {
    const err = new HaError('HA_FENCED', 'stale', { epoch: '3' });
    const back = HaError.fromJSON(JSON.parse(JSON.stringify(err)));
    assert.equal(back.code, 'HA_FENCED');
    assert.deepEqual(back.meta, { epoch: '3' });
    assert.ok(isHaError(back, 'HA_FENCED'));
  });
});
