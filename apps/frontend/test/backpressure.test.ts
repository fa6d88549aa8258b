import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { encodeMessage } from '@shoal/wire';
import {
  freePort,
  OUR_FEATURES,
  REGTEST,
  startFrontend,
  TestBackend,
  TestPeer,
  waitReady,
} from './harness.js';

const HIGH_WATER_MARK = 16 * 1024;
const MAX_QUEUE = 4 * 1024 * 1024;
const COUNT = 400;
const SIZE = 60_000;

describe('back-pressure from the mesh link to the peer socket', { timeout: 60_000 }, () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('stops reading the peer while the link to the backend is saturated, then resumes in order', {
    timeout: 45_000,
  }, async () => {
    // A long failure-detector threshold: the backend stops reading this link on purpose.
    const backend = new TestBackend(await freePort(), undefined, 30_000);
    await backend.start();
    cleanup.push(() => backend.stop());
    const fe = await startFrontend(backend.port, {
      cluster: { sendQueueHighWaterMark: HIGH_WATER_MARK, sendQueueMaxBytes: MAX_QUEUE },
    });
    cleanup.push(fe.stop);
    await waitReady(fe.frontend);
    const peer = await TestPeer.connect(fe.frontend.port, fe.key.publicKey);
    await peer.take(16);
    peer.write(
      encodeMessage({
        type: 'init',
        globalFeatures: new Uint8Array(0),
        features: OUR_FEATURES,
        tlvs: { networks: [REGTEST], unknown: [] },
      }),
    );
    await backend.waitFor(backend.proto.connectionReady);

    const feAddress = fe.frontend.member.address;
    backend.member.pauseReading(feAddress, true);
    const paused = once(fe.frontend, 'reading-paused');
    for (let i = 0; i < COUNT; i++) {
      const m = Buffer.alloc(SIZE);
      m.writeUInt16BE(0x8001, 0); // an unknown odd type: forwarded to the backend
      m.writeUInt32BE(i, 2);
      peer.write(m);
    }
    const [address] = (await paused) as [string];
    assert.equal(address, backend.address);
    // Reading stopped instead of buffering: the link queue stays bounded and the connection is up.
    assert.ok(fe.frontend.member.queuedBytes(backend.address) <= MAX_QUEUE);
    assert.equal(fe.frontend.connectionCount, 1);
    assert.ok(backend.count(backend.proto.peerMessage) < COUNT);

    const resumed = once(fe.frontend, 'reading-resumed');
    backend.member.pauseReading(feAddress, false);
    await resumed;
    const all = await backend.waitUntil(
      () => {
        const list = backend.received.filter((r) => backend.proto.peerMessage.is(r.msg));
        return list.length >= COUNT ? list : undefined;
      },
      `${COUNT} PeerMessages`,
      30_000,
    );
    const order = all.map((r) =>
      Buffer.from((r.msg.value as { message: Uint8Array }).message).readUInt32BE(2),
    );
    assert.deepEqual(order, [...Array(COUNT).keys()]);
    assert.equal(peer.closed, false);
  });
});
