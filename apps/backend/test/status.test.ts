import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@shoal/log';
import { type StatusChange, StatusService, type StatusSnapshot } from '../src/status/index.js';

/** Reads SSE frames from a fetch body; `next()` resolves with the next `snapshot` event. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    async next(): Promise<StatusSnapshot> {
      for (;;) {
        const end = text.indexOf('\n\n');
        if (end >= 0) {
          const frame = text.slice(0, end);
          text = text.slice(end + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (frame.includes('event: snapshot') && data) return JSON.parse(data.slice(6)) as StatusSnapshot;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value, { stream: true });
      }
    },
  };
}

describe('StatusService', { timeout: 20_000 }, () => {
  let server: Server;
  let url: string;
  let emit: ((c: StatusChange) => void) | undefined;
  let unsubscribed = 0;
  let peers = 0;
  const service = new StatusService(
    {
      logger: silentLogger,
      source: {
        nodeId: new Uint8Array(33).fill(2),
        alias: 'test',
        network: 'regtest',
        cluster: () => ({
          self: 'b:1',
          members: [
            { address: 'b:1', roles: ['backend'], status: 'up', protocolVersion: 1, leader: true },
            { address: 'f:1', roles: ['frontend'], status: 'up', protocolVersion: 1, peers },
          ],
        }),
        peers: () => [],
        blockHeight: () => Promise.resolve(7),
      },
      subscribe: (onChange) => {
        emit = onChange;
        return () => {
          unsubscribed++;
          emit = undefined;
        };
      },
    },
    { heartbeatMs: 60_000 },
  );

  before(async () => {
    const routes = service.routes();
    server = createServer((req, res) => {
      const route = routes.get(req.url ?? '');
      if (route) route(req, res);
      else res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    service.start();
  });

  after(async () => {
    service.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends a snapshot on connect and on every change; a removed member stays listed as removed', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${url}/status/events`, { signal: ctl.signal });
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.ok(res.body);
    const sse = sseReader(res.body);
    const first = await sse.next();
    assert.equal(first.reason, 'connect');
    assert.equal(first.chain.height, 7);
    assert.equal(first.gossip, null);
    assert.deepEqual(first.channels, { count: 0, supported: false });
    assert.equal(service.clientCount, 1);

    peers = 3;
    emit?.({ reason: 'peer-ready' });
    const second = await sse.next();
    assert.equal(second.reason, 'peer-ready');
    assert.equal(second.members.find((m) => m.address === 'f:1')?.peers, 3);

    emit?.({
      reason: 'member-removed',
      removed: { address: 'f:2', roles: ['frontend'], status: 'removed', protocolVersion: 1 },
    });
    const third = await sse.next();
    assert.equal(third.members.find((m) => m.address === 'f:2')?.status, 'removed');

    ctl.abort();
    // The server notices the closed socket; bounded wait for the client to be dropped.
    const deadline = Date.now() + 5_000;
    while (service.clientCount > 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.equal(service.clientCount, 0, 'the client is forgotten once it goes away');
  });

  it('serves the page as self-contained HTML and refuses other methods', async () => {
    const res = await fetch(`${url}/status`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /new EventSource\("\/status\/events"\)/);
    const post = await fetch(`${url}/status`, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.text();
  });

  it('stop() removes its change listener', () => {
    service.stop();
    assert.equal(unsubscribed, 1);
    assert.equal(emit, undefined);
  });
});
