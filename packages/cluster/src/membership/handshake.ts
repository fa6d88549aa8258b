import type { WebSocket } from 'ws';
import { decodeControl, encodeControl, FrameKind, type PeerIdentity, parseIdentity } from '../codec/frame.js';
import { ClusterError, type ClusterErrorCode } from '../errors.js';

/** Result of a handshake: the peer, the frames that arrived right after it, and a detach hook. */
export interface Handshake {
  peer: PeerIdentity;
  /** Frames received after the hello/welcome and before the link took over, in order. */
  early: Buffer[];
  /** Removes the handshake's listeners; call after the link attached its own. */
  detach(): void;
}

/** Protocol versions are compatible when equal (a rolling upgrade never mixes codecs). */
export function versionMismatch(local: number, remote: number): string | undefined {
  if (local === remote) return undefined;
  return `incompatible cluster protocol version: this member speaks ${local}, the peer speaks ${remote}`;
}

/**
 * Runs one side of the hello/welcome exchange. The dialer sends `hello` and expects `welcome`; the
 * acceptor expects `hello`, answers `welcome`, or `refuse` (naming both versions) then closes.
 */
export function handshake(
  ws: WebSocket,
  self: PeerIdentity,
  role: 'dialer' | 'acceptor',
  timeoutMs: number,
): Promise<Handshake> {
  ws.binaryType = 'nodebuffer';
  if (role === 'dialer') ws.send(encodeControl(FrameKind.hello, self));
  return new Promise<Handshake>((resolve, reject) => {
    let peer: PeerIdentity | undefined;
    const early: Buffer[] = [];
    const detach = () => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
    };
    const fail = (err: ClusterError, refuse: boolean) => {
      detach();
      if (refuse) ws.send(encodeControl(FrameKind.refuse, { code: err.code, message: err.message }));
      ws.close(4001, err.code);
      reject(err);
    };
    const timer = setTimeout(
      () =>
        fail(
          new ClusterError(
            'CLUSTER_BAD_STATE',
            `no ${role === 'dialer' ? 'welcome' : 'hello'} within ${timeoutMs} ms`,
          ),
          false,
        ),
      timeoutMs,
    );
    const onClose = (code: number, reason: Buffer) => {
      detach();
      reject(
        new ClusterError(
          'CLUSTER_UNREACHABLE',
          `closed during the handshake (${code} ${reason.toString()})`,
          { code },
        ),
      );
    };
    const onMessage = (data: Buffer) => {
      if (peer !== undefined) {
        early.push(data);
        return;
      }
      try {
        const kind = data[0];
        if (kind === FrameKind.refuse) {
          const body = decodeControl(data) as { code?: unknown; message?: unknown };
          const code = (typeof body.code === 'string' ? body.code : 'CLUSTER_BAD_STATE') as ClusterErrorCode;
          fail(new ClusterError(code, `refused by the peer: ${String(body.message)}`), false);
          return;
        }
        const expected = role === 'dialer' ? FrameKind.welcome : FrameKind.hello;
        if (kind !== expected)
          throw new ClusterError('CLUSTER_BAD_FRAME', `expected frame ${expected}, got ${kind}`);
        const id = parseIdentity(decodeControl(data));
        const mismatch = versionMismatch(self.protocolVersion, id.protocolVersion);
        if (mismatch !== undefined) {
          fail(
            new ClusterError('CLUSTER_VERSION_MISMATCH', mismatch, {
              local: self.protocolVersion,
              remote: id.protocolVersion,
              peer: id.address,
            }),
            true,
          );
          return;
        }
        peer = id;
        if (role === 'acceptor') ws.send(encodeControl(FrameKind.welcome, self));
        clearTimeout(timer);
        resolve({ peer: id, early, detach });
      } catch (err) {
        fail(err instanceof ClusterError ? err : new ClusterError('CLUSTER_BAD_FRAME', String(err)), false);
      }
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
  });
}
