/**
 * The single-process baseline of bench/frontend: a bare `@shoal/noise` server holding the node
 * key that does what frontend + backend do for a peer, in one process: BOLT 1 `init` exchange,
 * pings answered, and BOLT 2 channel messages answered with a BOLT 1 `error` for their channel id
 * (as `apps/backend` does). `GET /peers` on `RESPONDER_HTTP_PORT` counts peers past `init`.
 * Run as a child: `RESPONDER_KEY=<hex> RESPONDER_PORT=<n> RESPONDER_HTTP_PORT=<n> node responder.js`.
 */
import { createServer } from 'node:http';
import { createNoiseServer } from '@shoal/noise';
import { encodeMessage, messageGroup } from '@shoal/wire';
import { INIT } from './peers.js';

const key = Buffer.from(process.env.RESPONDER_KEY ?? '', 'hex');
const port = Number(process.env.RESPONDER_PORT);
const httpPort = Number(process.env.RESPONDER_HTTP_PORT);
const UNSUPPORTED = new TextEncoder().encode('channels are not supported yet');

let ready = 0;
const server = createNoiseServer({ localStaticKey: key }, (peer) => {
  let inited = false;
  peer.on('error', () => {});
  peer.on('close', () => {
    if (inited) ready--;
  });
  peer.on('message', (m) => {
    if (m.length < 2) return;
    const type = m.readUInt16BE(0);
    if (type === 16) {
      if (!inited) ready++;
      inited = true;
    } else if (type === 18) {
      const n = m.length >= 4 ? m.readUInt16BE(2) : 65535;
      if (n < 65532) peer.write(Buffer.concat([Buffer.from([0, 19, n >> 8, n & 0xff]), Buffer.alloc(n)]));
    } else {
      const group = messageGroup(type);
      if (group !== 'channel' && group !== 'commitment') return;
      const at = type === 32 || type === 64 ? 34 : 2;
      if (m.length < at + 32) return;
      peer.write(
        encodeMessage({
          type: 'error',
          channelId: m.subarray(at, at + 32),
          data: UNSUPPORTED,
          tlvs: { unknown: [] },
        }),
      );
    }
  });
  peer.write(INIT);
});
server.on('handshakeError', () => {});
await server.listen(port, '127.0.0.1');
createServer((_req, res) => res.end(String(ready))).listen(httpPort, '127.0.0.1', () => {
  process.stderr.write('responder listening\n');
});
