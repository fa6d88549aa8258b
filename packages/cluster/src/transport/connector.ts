import type { WebSocket } from 'ws';
import type { PeerIdentity } from '../codec/frame.js';
import { ClusterError, errorMessage } from '../errors.js';
import { type Handshake, handshake } from '../membership/handshake.js';
import type { ClusterTls } from '../tls/certificate.js';
import type { Logger } from '../types.js';
import { dialMesh, listenMesh, type MeshServer } from './tls-socket.js';

/** Where a connector hands its handshaken sockets. */
export interface ConnectorHost {
  readonly logger: Logger;
  identity(): PeerIdentity;
  /**
   * A socket finished its handshake; `dialer` is the address of the side that dialled. Returns why
   * the connection was dropped instead of kept (undefined when kept or a duplicate of a kept one).
   */
  established(ws: WebSocket, hs: Handshake, dialer: string): string | undefined;
  refused(err: ClusterError): void;
}

/** Accepts and dials mesh sockets and runs their hello/welcome handshake. */
export class Connector {
  private server: MeshServer | undefined;
  private readonly pending = new Set<WebSocket>();
  private open = false;

  constructor(
    private readonly host: ConnectorHost,
    private readonly opts: { tls: ClusterTls; maxFrameBytes: number; handshakeTimeoutMs: number },
  ) {}

  /** Listens; returns the bound port. */
  async listen(hostname: string, port: number): Promise<number> {
    this.server = await listenMesh(
      {
        host: hostname,
        port,
        tls: this.opts.tls,
        maxPayload: this.opts.maxFrameBytes,
        logger: this.host.logger,
      },
      (ws, remote) => this.inbound(ws, remote),
    );
    this.open = true;
    return this.server.port;
  }

  /** Dials and handshakes; rejects on any failure (the caller retries with back-off). */
  async dial(address: string): Promise<void> {
    if (!this.open) return;
    const ws = await dialMesh({
      address,
      tls: this.opts.tls,
      maxPayload: this.opts.maxFrameBytes,
      timeoutMs: this.opts.handshakeTimeoutMs,
    });
    this.guard(ws, address);
    this.pending.add(ws);
    try {
      const hs = await handshake(ws, this.host.identity(), 'dialer', this.opts.handshakeTimeoutMs);
      const dropped = this.host.established(ws, hs, this.host.identity().address);
      // A failure for the caller's back-off: redialling at once would be dropped again.
      if (dropped !== undefined) {
        throw new ClusterError('CLUSTER_BAD_STATE', `connection to ${address} dropped: ${dropped}`, {
          address,
          why: dropped,
        });
      }
    } finally {
      this.pending.delete(ws);
    }
  }

  async close(): Promise<void> {
    this.open = false;
    // A socket still in its handshake here may already be the peer's link (it attached first):
    // close it as a leave (1001), which the peer takes as such, not with a reset (a failure).
    await Promise.all([...this.pending].map((ws) => closeAsLeave(ws)));
    await this.server?.close();
  }

  /**
   * ws emits 'error' for protocol violations (an oversized or malformed frame) and write failures;
   * with no listener that would crash the process. This one covers the socket for its whole life:
   * the handshake, a connection refused after it, and the link (whose 'close' reports the end).
   */
  private guard(ws: WebSocket, remote: string): void {
    ws.on('error', (err) =>
      this.host.logger.debug('mesh socket error', { remote, error: errorMessage(err) }),
    );
  }

  private inbound(ws: WebSocket, remote: string): void {
    if (!this.open) {
      ws.terminate();
      return;
    }
    this.guard(ws, remote);
    this.pending.add(ws);
    handshake(ws, this.host.identity(), 'acceptor', this.opts.handshakeTimeoutMs).then(
      (hs) => {
        this.pending.delete(ws);
        this.host.established(ws, hs, hs.peer.address);
      },
      (err: unknown) => {
        this.pending.delete(ws);
        if (err instanceof ClusterError && err.code === 'CLUSTER_VERSION_MISMATCH') {
          this.host.logger.error('refused a member with an incompatible protocol version', {
            remote,
            error: err.message,
          });
          this.host.refused(err);
        } else {
          this.host.logger.warn('mesh handshake failed', { remote, error: errorMessage(err) });
        }
      },
    );
  }
}

/** Closes with 1001 ("going away") and waits for the close, terminating after a second. */
function closeAsLeave(ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => ws.terminate(), 1000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, 'member stopping');
  });
}
