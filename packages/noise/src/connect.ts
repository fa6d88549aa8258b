import type { Socket } from 'node:net';
import type { Secp256k1 } from '@shoal/crypto';
import { ByteQueue } from './byte-queue.js';
import {
  ACT_ONE_LENGTH,
  ACT_THREE_LENGTH,
  ACT_TWO_LENGTH,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
} from './constants.js';
import { NoiseError, toNoiseError } from './errors.js';
import { Handshake } from './handshake.js';
import { NoiseSocket } from './noise-socket.js';

/** Options for {@link acceptNoise}. */
export interface AcceptNoiseOptions {
  /** Our node key `ls.priv` (32 bytes). */
  localStaticKey: Uint8Array;
  /** Whole-handshake deadline; `NOISE_TIMEOUT` after it (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Fixed `e.priv` for test vectors only. */
  ephemeralKey?: Uint8Array;
  secp?: Secp256k1;
}

/** Options for {@link initiateNoise}. */
export interface InitiateNoiseOptions extends AcceptNoiseOptions {
  /** The responder's node id (33-byte compressed key). */
  remoteStaticKey: Uint8Array;
}

/** Runs the responder side of BOLT 8 on an already connected socket. */
export function acceptNoise(socket: Socket, options: AcceptNoiseOptions): Promise<NoiseSocket> {
  return drive(socket, () => Handshake.responder(options), options.handshakeTimeoutMs);
}

/** Runs the initiator side of BOLT 8 on an already connected socket (direct or via SOCKS5). */
export function initiateNoise(socket: Socket, options: InitiateNoiseOptions): Promise<NoiseSocket> {
  return drive(socket, () => Handshake.initiator(options), options.handshakeTimeoutMs);
}

function drive(
  socket: Socket,
  create: () => Handshake,
  timeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS,
): Promise<NoiseSocket> {
  return new Promise<NoiseSocket>((resolve, reject) => {
    let hs: Handshake;
    try {
      hs = create();
    } catch (err) {
      socket.destroy();
      reject(toNoiseError(err, 'NOISE_BAD_KEY'));
      return;
    }
    const queue = new ByteQueue();
    let settled = false;

    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const fail = (err: NoiseError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onError = (err: Error): void => fail(toNoiseError(err));
    const onClose = (): void =>
      fail(
        new NoiseError('NOISE_CLOSED', 'connection closed during the handshake', { buffered: queue.length }),
      );
    const step = (): void => {
      if (hs.initiator) {
        const act2 = queue.take(ACT_TWO_LENGTH);
        if (!act2) return;
        socket.write(hs.readAct2(act2));
      } else if (!hs.complete && queue.length >= ACT_ONE_LENGTH && !act1Done) {
        socket.write(hs.readAct1(queue.take(ACT_ONE_LENGTH) as Buffer));
        act1Done = true;
        step();
        return;
      } else {
        const act3 = queue.take(ACT_THREE_LENGTH);
        if (!act3) return;
        hs.readAct3(act3);
      }
      settled = true;
      cleanup();
      socket.setNoDelay(true);
      resolve(new NoiseSocket(socket, hs.result(), hs.localPublicKey, queue.takeAll()));
    };
    let act1Done = false;
    const onData = (chunk: Buffer): void => {
      queue.push(chunk);
      try {
        step();
      } catch (err) {
        fail(toNoiseError(err));
      }
    };
    const timer = setTimeout(
      () =>
        fail(
          new NoiseError('NOISE_TIMEOUT', `handshake did not finish within ${timeoutMs} ms`, { timeoutMs }),
        ),
      timeoutMs,
    );

    if (socket.destroyed || !socket.readable) {
      fail(new NoiseError('NOISE_CLOSED', 'socket already closed'));
      return;
    }
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('data', onData);
    try {
      if (hs.initiator) socket.write(hs.writeAct1());
    } catch (err) {
      // A bad ephemeral key throws here, after the listeners and timer are in place.
      fail(toNoiseError(err, 'NOISE_BAD_KEY'));
      return;
    }
    socket.resume();
  });
}
