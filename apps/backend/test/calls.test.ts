import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, ENCODINGS, GETINFO, hex, NODE_A, NODE_B, startServer, type TestServer } from './helpers.js';

const T = { timeout: 10_000 };

describe('API calls (each with urlencoded and multipart bodies)', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await t.server.stop();
  });

  for (const encoding of ENCODINGS) {
    describe(encoding, () => {
      it('getinfo answers Eclair field names, hex bytes and host:port addresses', T, async () => {
        t.calls.length = 0;
        const a = await call(t.url, '/getinfo', {}, { encoding });
        assert.equal(a.status, 200);
        assert.equal(a.headers.get('content-type'), 'application/json');
        assert.deepEqual(a.json, {
          version: '0.1.0-test',
          nodeId: hex(NODE_A),
          alias: 'shoal',
          color: '#49daaa',
          features: { activated: { var_onion_optin: 'mandatory', gossip_queries: 'optional' } },
          chainHash: '06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f',
          network: 'regtest',
          blockHeight: 123,
          publicAddresses: ['10.0.0.5:9735', '[2001:db8::1]:9736'],
          instanceId: GETINFO.instanceId,
        });
        assert.deepEqual(t.calls, [{ call: 'getInfo' }]);
      });

      it('peers: address only when known', T, async () => {
        const a = await call(t.url, '/peers', {}, { encoding });
        assert.equal(a.status, 200);
        assert.deepEqual(a.json, [
          { nodeId: hex(NODE_B), state: 'CONNECTED', address: '127.0.0.1:9731', channels: 1 },
          { nodeId: hex(NODE_A), state: 'DISCONNECTED', channels: 0 },
        ]);
      });

      it('connect with uri=nodeId@host:port', T, async () => {
        t.calls.length = 0;
        const a = await call(t.url, '/connect', { uri: `${hex(NODE_B)}@10.1.2.3:9999` }, { encoding });
        assert.equal(a.status, 200);
        assert.equal(a.json, 'connected');
        assert.deepEqual(t.calls, [
          {
            call: 'connect',
            params: {
              nodeId: NODE_B,
              address: { type: 'ipv4', addr: Uint8Array.of(10, 1, 2, 3), port: 9999 },
            },
          },
        ]);
      });

      it('connect with a uri without port uses 9735; IPv6 in brackets; DNS names', T, async () => {
        t.calls.length = 0;
        await call(t.url, '/connect', { uri: `${hex(NODE_B)}@[::1]` }, { encoding });
        await call(t.url, '/connect', { uri: `${hex(NODE_B)}@node.example.com:9736` }, { encoding });
        const ipv6 = new Uint8Array(16);
        ipv6[15] = 1;
        assert.deepEqual(t.calls, [
          { call: 'connect', params: { nodeId: NODE_B, address: { type: 'ipv6', addr: ipv6, port: 9735 } } },
          {
            call: 'connect',
            params: { nodeId: NODE_B, address: { type: 'dns', hostname: 'node.example.com', port: 9736 } },
          },
        ]);
      });

      it('connect with nodeId, host and port; bare IPv6 host; nodeId alone', T, async () => {
        t.calls.length = 0;
        const nodeId = hex(NODE_B);
        assert.equal(
          (await call(t.url, '/connect', { nodeId, host: '10.1.2.3', port: '9000' }, { encoding })).status,
          200,
        );
        assert.equal((await call(t.url, '/connect', { nodeId, host: '::1' }, { encoding })).status, 200);
        assert.equal((await call(t.url, '/connect', { nodeId }, { encoding })).status, 200);
        const ipv6 = new Uint8Array(16);
        ipv6[15] = 1;
        assert.deepEqual(t.calls, [
          {
            call: 'connect',
            params: {
              nodeId: NODE_B,
              address: { type: 'ipv4', addr: Uint8Array.of(10, 1, 2, 3), port: 9000 },
            },
          },
          { call: 'connect', params: { nodeId: NODE_B, address: { type: 'ipv6', addr: ipv6, port: 9735 } } },
          { call: 'connect', params: { nodeId: NODE_B } },
        ]);
      });

      it('disconnect', T, async () => {
        t.calls.length = 0;
        const a = await call(t.url, '/disconnect', { nodeId: hex(NODE_B).toUpperCase() }, { encoding });
        assert.equal(a.status, 200);
        assert.equal(a.json, `peer ${hex(NODE_B)} disconnecting`);
        assert.deepEqual(t.calls, [{ call: 'disconnect', params: { nodeId: NODE_B } }]);
      });

      it('cluster', T, async () => {
        const a = await call(t.url, '/cluster', {}, { encoding });
        assert.equal(a.status, 200);
        assert.deepEqual(a.json, {
          self: '127.0.0.1:25520',
          members: [
            {
              address: '127.0.0.1:25520',
              roles: ['backend'],
              status: 'up',
              protocolVersion: 1,
              leader: true,
            },
            { address: '127.0.0.1:25521', roles: ['frontend'], status: 'up', protocolVersion: 1, peers: 2 },
          ],
        });
      });

      it('/v1/state by POST', T, async () => {
        const a = await call(t.url, '/v1/state', {}, { encoding });
        assert.equal(a.status, 200);
        assert.deepEqual(a.json, { state: 'RUNNING' });
      });
    });
  }

  it('/v1/state also by GET', T, async () => {
    const a = await call(t.url, '/v1/state', {}, { method: 'GET' });
    assert.equal(a.status, 200);
    assert.deepEqual(a.json, { state: 'RUNNING' });
  });

  it('unknown fields are ignored, as Eclair does', T, async () => {
    const a = await call(t.url, '/getinfo', { whatever: '1' });
    assert.equal(a.status, 200);
  });

  it('Eclair headers: no caching, POST only', T, async () => {
    const a = await call(t.url, '/getinfo');
    assert.match(a.headers.get('cache-control') ?? '', /no-store/);
    assert.equal(a.headers.get('access-control-allow-methods'), 'POST');
  });
});
