// BOLT 1 ping timeout vs our own back-pressure: while the frontend has paused reading a peer
// (here: the gossip router's in-flight cap, with a backend that never answers), the peer's pong
// waits unread behind its gossip. The frontend must not close the connection for a missing pong
// it did not read (a bench run lost 2,604 channels that way).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeMessage, encodeMessage, type PingMessage } from '@shoal/wire';
import { type FrontendHandle, freePort, startFrontend, type TestPeer, until, waitReady } from './harness.js';
import { GossipBackend, gossipPeer, makeChannel, priv, scid } from './router-harness.js';

const PING_TYPE = 18;
const ANNOUNCEMENTS = 8;

describe('ping timeout while the frontend pauses reading', { timeout: 60_000 }, () => {
  let backend: GossipBackend;
  let fe: FrontendHandle;
  let peer: TestPeer | undefined;
  let received = 0;
  const wakers = new Set<() => void>();
  const sub = (wake: () => void) => {
    wakers.add(wake);
    return () => wakers.delete(wake);
  };

  before(async () => {
    backend = new GossipBackend(await freePort());
    backend.autoSnapshot = [];
    await backend.start();
    fe = await startFrontend(backend.port, {
      // Pings every 100 ms, pong due within 250 ms: many timeouts fit in one paused period.
      timeouts: { initTimeoutMs: 3000, pingIntervalMs: 100, pingTimeoutMs: 250 },
      // Two unanswered forwards pause the peer; they are given up after 2 s, which resumes it.
      gossip: { maxInFlight: 2, forwardTimeoutMs: 2000, checkIntervalMs: 50 },
    });
    await waitReady(fe.frontend);
    fe.frontend.router.on('received', () => {
      received++;
      for (const w of [...wakers]) w();
    });
  });

  after(async () => {
    peer?.destroy();
    await fe?.stop();
    await backend?.stop();
  });

  it('keeps the connection while its pong sits unread, and reads everything once it resumes', async () => {
    const p = await gossipPeer(fe.frontend.port, fe.key.publicKey, backend);
    peer = p;
    // The peer is well behaved: it answers every ping at once.
    p.socket.on('message', (m: Buffer) => {
      if (m.readUInt16BE(0) !== PING_TYPE) return;
      const ping = decodeMessage(m) as PingMessage;
      p.write(
        encodeMessage({
          type: 'pong',
          ignored: new Uint8Array(ping.numPongBytes),
          tlvs: { unknown: [] },
        }),
      );
    });
    for (let i = 0; i < ANNOUNCEMENTS; i++) {
      p.write(makeChannel(priv(100 + 2 * i), priv(101 + 2 * i), scid(300 + i)).ann);
    }
    const closed = new Promise<string>((resolve) => p.socket.once('close', () => resolve('closed')));
    const all = until(
      sub,
      () => (received >= ANNOUNCEMENTS ? 'all' : undefined),
      'every announcement read',
      20_000,
    );
    const first = await Promise.race([all, closed]);
    assert.equal(
      first,
      'all',
      `the frontend closed the connection after reading ${received} of ${ANNOUNCEMENTS}`,
    );
    assert.equal(p.closed, false);
  });
});
