import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startServer, type TestServer } from './helpers.js';

// Eclair's own expected API answers, as data: ACINQ/eclair
// eclair-node/src/test/resources/api/getinfo and .../api/peers (ApiServiceSpec fixtures).
const ECLAIR_GETINFO =
  '{"version":"1.0.0-SNAPSHOT-e3f1ec0","nodeId":"03af0ed6052cf28d670665549bc86f4b721c9fdb309d40c58f5811f63966e005d0","alias":"alice","color":"#000102","features":{"activated":{"option_data_loss_protect":"mandatory","gossip_queries_ex":"optional"}},"chainHash":"06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f","network":"regtest","blockHeight":9999,"publicAddresses":["127.0.0.1:9731"],"instanceId":"01234567-0123-4567-89ab-0123456789ab"}';
const ECLAIR_PEERS =
  '[{"nodeId":"03af0ed6052cf28d670665549bc86f4b721c9fdb309d40c58f5811f63966e005d0","state":"CONNECTED","address":"127.0.0.1:9731","channels":1},{"nodeId":"039dc0e0b1d25905e44fdf6f8e89755a5e219685840d0bc1d28d3308f9628a3585","state":"DISCONNECTED","channels":1}]';

const ALICE = Buffer.from('03af0ed6052cf28d670665549bc86f4b721c9fdb309d40c58f5811f63966e005d0', 'hex');
const BOB = Buffer.from('039dc0e0b1d25905e44fdf6f8e89755a5e219685840d0bc1d28d3308f9628a3585', 'hex');
const LOCAL = { type: 'ipv4', addr: Uint8Array.of(127, 0, 0, 1), port: 9731 } as const;

describe("byte-for-byte Eclair answers (Eclair's test fixtures)", () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({
      // Keys deliberately in another order and with an extra field: the API writes Eclair's shape.
      getInfo: async () => ({
        instanceId: '01234567-0123-4567-89ab-0123456789ab',
        publicAddresses: [LOCAL, { type: 'unknown', descriptorType: 99, data: new Uint8Array(0) }],
        blockHeight: 9999,
        network: 'regtest',
        chainHash: Buffer.from('06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f', 'hex'),
        features: {
          activated: { option_data_loss_protect: 'mandatory', gossip_queries_ex: 'optional' },
          unknown: [],
        },
        color: '#000102',
        alias: 'alice',
        nodeId: ALICE,
        version: '1.0.0-SNAPSHOT-e3f1ec0',
        internal: 'must not leak',
      }),
      peers: async () => [
        { channels: 1, address: LOCAL, state: 'CONNECTED', nodeId: ALICE },
        { nodeId: BOB, state: 'DISCONNECTED', channels: 1 },
      ],
    });
  });
  after(async () => {
    await t.server.stop();
  });

  it('getinfo', { timeout: 10_000 }, async () => {
    assert.equal((await call(t.url, '/getinfo')).text, ECLAIR_GETINFO);
  });

  it('peers', { timeout: 10_000 }, async () => {
    assert.equal((await call(t.url, '/peers')).text, ECLAIR_PEERS);
  });
});
