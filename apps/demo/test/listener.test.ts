import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import { silentLogger } from '@shoal/log';
import { connectNoise } from '@shoal/noise';
import { decodeMessage, encodeMessage } from '@shoal/wire';
import { REGTEST_CHAIN_HASH, startTransportListener } from '../src/listener.js';

describe('demo transport listener', { timeout: 20_000 }, () => {
  it('completes the handshake, sends init, answers ping and closes on an unknown even message', async () => {
    const nodeKey = randomPrivateKey();
    const server = await startTransportListener(
      { logger: silentLogger },
      { nodeKey, host: '127.0.0.1', port: 0 },
    );
    after(() => server.close());
    const peer = await connectNoise({
      host: '127.0.0.1',
      port: server.address().port,
      localStaticKey: randomPrivateKey(),
      remoteStaticKey: secp256k1.publicKeyCreate(nodeKey),
    });
    const [first] = (await once(peer, 'message')) as [Buffer];
    const init = decodeMessage(first);
    assert.equal(init.type, 'init');
    assert.ok(init.type === 'init' && init.tlvs.networks?.some((n) => REGTEST_CHAIN_HASH.equals(n)));

    peer.write(
      encodeMessage({ type: 'ping', numPongBytes: 7, ignored: new Uint8Array(3), tlvs: { unknown: [] } }),
    );
    const [pongBytes] = (await once(peer, 'message')) as [Buffer];
    const pong = decodeMessage(pongBytes);
    assert.equal(pong.type, 'pong');
    assert.ok(pong.type === 'pong' && pong.ignored.length === 7);

    const closed = once(peer, 'close');
    peer.write(Buffer.from([0x00, 0x40])); // type 64: unknown and even
    await closed;
  });
});
