import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoreHarness } from './compliance.js';
import { rejectsWith, withStore } from './compliance.js';
import { bytes, channel, htlc, invoice, nodeId, payment, peer, scid } from './records.js';

const T = { timeout: 30_000 };

/** Every repository, through the public interface only. */
export function repositoryCompliance(harness: () => StoreHarness): void {
  describe('repositories', () => {
    it('meta: put, overwrite, get, delete', T, async () => {
      await withStore(harness(), async (s) => {
        await s.transaction(async (tx) => {
          assert.equal(await tx.meta.get('chain_hash'), undefined);
          await tx.meta.put('chain_hash', bytes('regtest'));
          await tx.meta.put('alias', new Uint8Array(0));
          await tx.meta.put('chain_hash', bytes('mainnet'));
        });
        assert.deepEqual(await s.read((tx) => tx.meta.get('chain_hash')), bytes('mainnet'));
        assert.deepEqual(await s.read((tx) => tx.meta.get('alias')), new Uint8Array(0));
        assert.equal(await s.transaction((tx) => tx.meta.delete('alias')), true);
        assert.equal(await s.transaction((tx) => tx.meta.delete('alias')), false);
      });
    });

    it('peers: addresses keep their order and are replaced; list and delete', T, async () => {
      await withStore(harness(), async (s) => {
        const a = peer('a', ['[::1]:9735', '127.0.0.1:9735', 'abc.onion:9735']);
        const b = peer('b', []);
        await s.transaction(async (tx) => {
          await tx.peers.put(a);
          await tx.peers.put(b);
        });
        assert.deepEqual(await s.read((tx) => tx.peers.get(a.nodeId)), a);
        const a2 = { ...a, addresses: ['10.0.0.1:9735'], lastConnectedAt: 1_700_000_500 };
        await s.transaction((tx) => tx.peers.put(a2));
        assert.deepEqual(await s.read((tx) => tx.peers.get(a.nodeId)), a2);
        const all = await s.read((tx) => tx.peers.list());
        assert.equal(all.length, 2);
        assert.ok(all.some((p) => Buffer.from(p.nodeId).equals(b.nodeId)));
        assert.equal(await s.transaction((tx) => tx.peers.delete(a.nodeId)), true);
        assert.equal(await s.read((tx) => tx.peers.get(a.nodeId)), undefined);
        await rejectsWith(
          s.transaction((tx) => tx.peers.put({ ...b, nodeId: bytes('short', 32) })),
          'STORE_INVALID_ARGUMENT',
        );
      });
    });

    it('channels: versions only increase; look-ups by id, scid, peer and state', T, async () => {
      await withStore(harness(), async (s) => {
        const big = 2n ** 64n - 1n; // the largest short_channel_id survives the signed column
        const a1 = channel('a', 1n);
        const b = channel('b', 7n, { shortChannelId: big, state: 'SHUTDOWN', peerId: a1.peerId });
        const c = channel('c', 0n, { shortChannelId: scid(800_000, 1, 0) });
        await s.transaction(async (tx) => {
          await tx.channels.put(a1);
          await tx.channels.put(b);
          await tx.channels.put(c);
        });
        assert.deepEqual(await s.read((tx) => tx.channels.get(a1.channelId)), a1);
        assert.deepEqual(await s.read((tx) => tx.channels.getByShortChannelId(big)), b);
        assert.deepEqual(await s.read((tx) => tx.channels.getByShortChannelId(scid(800_000, 1, 0))), c);
        assert.equal(await s.read((tx) => tx.channels.getByShortChannelId(1n)), undefined);
        const a2 = channel('a', 2n, { state: 'SHUTDOWN', localBalanceMsat: 0n });
        await s.transaction((tx) => tx.channels.put(a2));
        assert.deepEqual(await s.read((tx) => tx.channels.get(a1.channelId)), a2);
        for (const stale of [2n, 1n]) {
          const err = await rejectsWith(
            s.transaction((tx) => tx.channels.put(channel('a', stale))),
            'STORE_STALE_VERSION',
          );
          assert.equal(err.meta.stored, '2');
        }
        assert.deepEqual(await s.read((tx) => tx.channels.get(a1.channelId)), a2);
        assert.equal((await s.read((tx) => tx.channels.list())).length, 3);
        const ofPeer = await s.read((tx) => tx.channels.list({ peerId: a1.peerId }));
        assert.deepEqual(ofPeer.map((c) => c.version).sort(), [2n, 7n]);
        const shut = await s.read((tx) => tx.channels.list({ state: 'SHUTDOWN', peerId: a1.peerId }));
        assert.equal(shut.length, 2);
        assert.equal((await s.read((tx) => tx.channels.list({ state: 'NORMAL' }))).length, 1);
        assert.equal(await s.transaction((tx) => tx.channels.delete(c.channelId)), true);
        assert.equal(await s.read((tx) => tx.channels.get(c.channelId)), undefined);
      });
    });

    it('htlcs: per channel and direction, by payment hash; deleted with their channel', T, async () => {
      await withStore(harness(), async (s) => {
        const ch = channel('h', 1n);
        const h0 = htlc(ch.channelId, 0n);
        const h1 = htlc(ch.channelId, 1n, { paymentHash: h0.paymentHash });
        const r0 = htlc(ch.channelId, 0n, { direction: 'received', amountMsat: 9_000_000_000_000_000_000n });
        await s.transaction(async (tx) => {
          await tx.channels.put(ch);
          for (const h of [h0, h1, r0]) await tx.htlcs.put(h);
        });
        assert.deepEqual(await s.read((tx) => tx.htlcs.get(ch.channelId, 'received', 0n)), r0);
        assert.deepEqual(await s.read((tx) => tx.htlcs.listByChannel(ch.channelId)), [h0, h1, r0]);
        // r0 shares h0's payment hash too (same htlc id label).
        assert.deepEqual(await s.read((tx) => tx.htlcs.listByPaymentHash(h0.paymentHash)), [h0, h1, r0]);
        const settled = { ...h1, state: 'fulfilled', onion: new Uint8Array(0) };
        await s.transaction((tx) => tx.htlcs.put(settled));
        assert.deepEqual(await s.read((tx) => tx.htlcs.get(ch.channelId, 'offered', 1n)), settled);
        assert.equal(await s.transaction((tx) => tx.htlcs.delete(ch.channelId, 'offered', 0n)), true);
        assert.equal(await s.transaction((tx) => tx.htlcs.delete(ch.channelId, 'offered', 0n)), false);
        await rejectsWith(
          s.transaction((tx) => tx.htlcs.put(htlc(bytes('nope'), 0n))),
          'STORE_NOT_FOUND',
        );
        await s.transaction((tx) => tx.channels.delete(ch.channelId));
        assert.deepEqual(await s.read((tx) => tx.htlcs.listByChannel(ch.channelId)), []);
      });
    });

    it('graph: announcements, newer-only updates (BOLT 7), range listing, pruning', T, async () => {
      await withStore(harness(), async (s) => {
        const ann = (b: number) => ({
          shortChannelId: scid(b, 2, 1),
          nodeId1: nodeId(`g1:${b}`),
          nodeId2: nodeId(`g2:${b}`),
          capacitySat: b === 100 ? null : 1_000_000n,
          raw: bytes(`ann:${b}`, 430),
        });
        await s.transaction(async (tx) => {
          for (const b of [100, 200, 300]) await tx.graph.putChannelAnnouncement(ann(b));
        });
        assert.deepEqual(await s.read((tx) => tx.graph.getChannelAnnouncement(scid(100, 2, 1))), ann(100));
        const range = await s.read((tx) =>
          tx.graph.listChannelAnnouncements({ firstBlock: 150, blockCount: 151 }),
        );
        assert.deepEqual(range, [ann(200), ann(300)]);
        assert.equal((await s.read((tx) => tx.graph.listChannelAnnouncements())).length, 3);
        const upd = (direction: 0 | 1, timestamp: number) => ({
          shortChannelId: scid(200, 2, 1),
          direction,
          timestamp,
          raw: bytes(`upd:${direction}:${timestamp}`, 136),
        });
        const stored = await s.transaction(async (tx) => [
          await tx.graph.putChannelUpdate(upd(0, 10)),
          await tx.graph.putChannelUpdate(upd(1, 10)),
          await tx.graph.putChannelUpdate(upd(0, 9)),
          await tx.graph.putChannelUpdate(upd(0, 10)),
          await tx.graph.putChannelUpdate(upd(1, 11)),
        ]);
        assert.deepEqual(stored, [true, true, false, false, true]);
        assert.deepEqual(await s.read((tx) => tx.graph.listChannelUpdates(scid(200, 2, 1))), [
          upd(0, 10),
          upd(1, 11),
        ]);
        const node = (ts: number) => ({ nodeId: nodeId('gn'), timestamp: ts, raw: bytes(`na:${ts}`, 150) });
        assert.deepEqual(
          await s.transaction(async (tx) => [
            await tx.graph.putNodeAnnouncement(node(5)),
            await tx.graph.putNodeAnnouncement(node(4)),
            await tx.graph.putNodeAnnouncement(node(6)),
          ]),
          [true, false, true],
        );
        assert.deepEqual(await s.read((tx) => tx.graph.getNodeAnnouncement(nodeId('gn'))), node(6));
        assert.deepEqual(await s.read((tx) => tx.graph.listNodeAnnouncements()), [node(6)]);
        const all = await s.read((tx) => tx.graph.listChannelUpdates());
        assert.deepEqual(
          all.map((u) => [u.shortChannelId, u.direction]),
          [
            [scid(200, 2, 1), 0],
            [scid(200, 2, 1), 1],
          ],
        );
        assert.equal(await s.transaction((tx) => tx.graph.deleteNodeAnnouncement(nodeId('gn'))), true);
        assert.equal(await s.transaction((tx) => tx.graph.deleteNodeAnnouncement(nodeId('gn'))), false);
        assert.deepEqual(await s.read((tx) => tx.graph.listNodeAnnouncements()), []);
        assert.equal(await s.transaction((tx) => tx.graph.deleteChannel(scid(200, 2, 1))), true);
        assert.deepEqual(await s.read((tx) => tx.graph.listChannelUpdates(scid(200, 2, 1))), []);
        assert.equal(await s.read((tx) => tx.graph.getChannelAnnouncement(scid(200, 2, 1))), undefined);
      });
    });

    it('payments: insert, complete, list by hash and by time', T, async () => {
      await withStore(harness(), async (s) => {
        const p1 = payment('1');
        const p2 = payment('2', {
          paymentHash: p1.paymentHash,
          createdAt: 1_700_000_100,
          bolt11: 'lnbcrt1...',
        });
        const p3 = payment('3', { createdAt: 1_600_000_000 });
        await s.transaction(async (tx) => {
          for (const p of [p1, p2, p3]) await tx.payments.put(p);
        });
        const done = {
          ...p1,
          status: 'succeeded' as const,
          preimage: bytes('pre'),
          completedAt: 1_700_000_050,
        };
        const failed = { ...p2, status: 'failed' as const, failureReason: 'temporary_channel_failure' };
        await s.transaction(async (tx) => {
          await tx.payments.put(done);
          await tx.payments.put(failed);
        });
        assert.deepEqual(await s.read((tx) => tx.payments.get(p1.paymentId)), done);
        assert.deepEqual(await s.read((tx) => tx.payments.listByPaymentHash(p1.paymentHash)), [done, failed]);
        assert.deepEqual(await s.read((tx) => tx.payments.list()), [p3, done, failed]);
        assert.equal(await s.read((tx) => tx.payments.get(bytes('none'))), undefined);
      });
    });

    it('invoices: insert, settle, list by status', T, async () => {
      await withStore(harness(), async (s) => {
        const i1 = invoice('1', { amountMsat: null });
        const i2 = invoice('2', { createdAt: 1_700_000_001 });
        await s.transaction(async (tx) => {
          await tx.invoices.put(i1);
          await tx.invoices.put(i2);
        });
        const paid = { ...i2, status: 'paid' as const, receivedMsat: 50_001n, paidAt: 1_700_000_100 };
        await s.transaction((tx) => tx.invoices.put(paid));
        assert.deepEqual(await s.read((tx) => tx.invoices.get(i1.paymentHash)), i1);
        assert.deepEqual(await s.read((tx) => tx.invoices.list()), [i1, paid]);
        assert.deepEqual(await s.read((tx) => tx.invoices.list({ status: 'paid' })), [paid]);
        assert.deepEqual(await s.read((tx) => tx.invoices.list({ status: 'expired' })), []);
      });
    });
  });
}
