/**
 * The bench's Lightning peers: `@shoal/noise` initiators that exchange BOLT 1 `init`, answer
 * pings, and send pipelined BOLT 2 `open_channel`s counting the `error`s that come back.
 */
import { randomPrivateKey, secp256k1 } from '@shoal/crypto';
import { connectNoise, type NoiseSocket } from '@shoal/noise';
import { encodeMessage, type OpenChannelMessage } from '@shoal/wire';

/** Bitcoin regtest genesis hash, internal byte order (BOLT 0 `chain_hash`). */
export const REGTEST = Buffer.from('06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f', 'hex');

const T_INIT = 16;
const T_ERROR = 17;
const T_PING = 18;

/** Our `init` (BOLT 1): no features, `networks` = regtest. */
export const INIT = encodeMessage({
  type: 'init',
  globalFeatures: new Uint8Array(0),
  features: new Uint8Array(0),
  tlvs: { networks: [REGTEST], unknown: [] },
});

/** A connected peer after the `init` exchange; `onOther` gets every message but pings. */
export interface BenchPeer {
  socket: NoiseSocket;
  onOther: (m: Buffer) => void;
}

/** BOLT 1 `pong` with `num_pong_bytes` zero bytes (`ping` is type 18, `pong` 19). */
function pongFor(ping: Buffer): Buffer | undefined {
  if (ping.length < 4) return undefined;
  const n = ping.readUInt16BE(2);
  if (n >= 65532) return undefined;
  const pong = Buffer.alloc(4 + n);
  pong.writeUInt16BE(19, 0);
  pong.writeUInt16BE(n, 2);
  return pong;
}

/**
 * Dials the node, completes BOLT 8 and BOLT 1 `init` (waits for the node's `init`, answers with
 * ours), answers pings from then on. Resolves once our `init` is written.
 */
export async function connectPeer(
  port: number,
  nodeId: Uint8Array,
  key: Uint8Array = randomPrivateKey(),
  timeoutMs = 20_000,
): Promise<BenchPeer> {
  const socket = await connectNoise({
    host: '127.0.0.1',
    port,
    localStaticKey: key,
    remoteStaticKey: nodeId,
    handshakeTimeoutMs: timeoutMs,
  });
  const peer: BenchPeer = { socket, onOther: () => {} };
  return new Promise<BenchPeer>((resolve, reject) => {
    let inited = false;
    const timer = setTimeout(() => fail(new Error('no init from the node in time')), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (!inited) reject(err);
    };
    socket.on('error', (err) => fail(err));
    socket.on('close', () => fail(new Error('closed before init')));
    socket.on('message', (m) => {
      const type = m.length >= 2 ? m.readUInt16BE(0) : -1;
      if (type === T_PING) {
        const pong = pongFor(m);
        if (pong) socket.write(pong);
      } else if (!inited && type === T_INIT) {
        inited = true;
        clearTimeout(timer);
        socket.write(INIT);
        resolve(peer);
      } else peer.onOther(m);
    });
  });
}

/** BOLT 2 `open_channel` with fresh points; byte 34..66 is `temporary_channel_id`. */
export function openChannelBytes(): Buffer {
  const point = () => secp256k1.publicKeyCreate(randomPrivateKey());
  const m: OpenChannelMessage = {
    type: 'open_channel',
    chainHash: REGTEST,
    temporaryChannelId: Buffer.alloc(32, 7),
    fundingSatoshis: 100_000n,
    pushMsat: 0n,
    dustLimitSatoshis: 546n,
    maxHtlcValueInFlightMsat: 100_000_000n,
    channelReserveSatoshis: 1_000n,
    htlcMinimumMsat: 1n,
    feeratePerKw: 253,
    toSelfDelay: 144,
    maxAcceptedHtlcs: 30,
    fundingPubkey: point(),
    revocationBasepoint: point(),
    paymentBasepoint: point(),
    delayedPaymentBasepoint: point(),
    htlcBasepoint: point(),
    firstPerCommitmentPoint: point(),
    channelFlags: 0,
    tlvs: { unknown: [] },
  };
  return Buffer.from(encodeMessage(m));
}

/**
 * Sends `open_channel`s keeping `inFlight` outstanding for about `ms`, each with its sequence
 * number in `temporary_channel_id`; every answer must be an `error` naming the next outstanding
 * id (in order). Returns completed round trips per second.
 */
export function roundTrips(peer: BenchPeer, ms: number, inFlight: number): Promise<number> {
  const template = openChannelBytes();
  return new Promise<number>((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const start = process.hrtime.bigint();
    const stopAt = start + BigInt(ms) * 1_000_000n;
    let sending = true;
    const send = (): void => {
      const m = Buffer.from(template);
      m.writeUInt32BE(sent++, 34);
      peer.socket.write(m);
    };
    const timer = setTimeout(() => reject(new Error(`round trips stalled: ${done}/${sent}`)), ms + 20_000);
    peer.onOther = (m) => {
      const type = m.readUInt16BE(0);
      if (type !== T_ERROR) return; // warnings, gossip: not ours
      const seq = m.readUInt32BE(2);
      if (seq !== done) {
        clearTimeout(timer);
        reject(new Error(`error for channel ${seq}, expected ${done}`));
        return;
      }
      done++;
      if (sending && process.hrtime.bigint() >= stopAt) sending = false;
      if (sending) send();
      else if (done === sent) {
        clearTimeout(timer);
        peer.onOther = () => {};
        resolve(done / (Number(process.hrtime.bigint() - start) / 1e9));
      }
    };
    for (let i = 0; i < inFlight; i++) send();
  });
}
