// A GraphSubscribe that gets no answer (lost with a mesh link replaced during a failover) is sent
// again after 2 s, doubling, instead of leaving the frontend not ready for the whole 15 s stall
// timeout. The chaos test once saw frontends not ready 10 s after a takeover.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FrontendHandle, freePort, startFrontend, waitReady } from './harness.js';
import { GossipBackend } from './router-harness.js';

describe('frontend router: an unanswered GraphSubscribe is sent again', { timeout: 30_000 }, () => {
  let backend: GossipBackend;
  let fe: FrontendHandle;

  before(async () => {
    backend = new GossipBackend(await freePort());
    await backend.start(); // no autoSnapshot: subscriptions are recorded, not answered
    fe = await startFrontend(backend.port, { gossip: { checkIntervalMs: 50, snapshotTimeoutMs: 15_000 } });
  });
  after(async () => {
    await fe?.stop();
    await backend?.stop();
  });

  it('re-subscribes well before the stall timeout and becomes ready once answered', async () => {
    await backend.waitCount(backend.proto.graphSubscribe, 1);
    assert.equal(fe.frontend.ready, false);
    backend.autoSnapshot = []; // the next subscription is answered at once
    // Well inside the 15 s stall timeout: only the quick re-subscription can make this.
    await waitReady(fe.frontend, true, 8000);
    assert.ok(
      fe.frontend.router.sync.subscribes >= 2,
      `subscriptions: ${fe.frontend.router.sync.subscribes}`,
    );
  });
});
