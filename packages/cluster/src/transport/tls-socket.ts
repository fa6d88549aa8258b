import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import { errorMessage } from '../errors.js';
import type { ClusterTls } from '../tls/certificate.js';
import type { Logger } from '../types.js';

/** SHA-256 fingerprint of the cluster certificate, as Node prints it (`AA:BB:...`). */
export function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** TLS options shared by both ends: TLS 1.3 only, mutual auth, trust only the cluster certificate. */
function tlsOptions(tls: ClusterTls) {
  return { cert: tls.cert, key: tls.key, ca: tls.ca, minVersion: 'TLSv1.3' as const };
}

/** Members are authenticated by the cluster certificate, not by host name. */
function noHostnameCheck(): undefined {
  return undefined;
}

/** A listening mesh endpoint. */
export interface MeshServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens with mutual TLS; a client without the cluster certificate fails the TLS handshake and
 * is logged. Upgraded sockets whose peer certificate is not exactly the cluster one are closed.
 */
export async function listenMesh(
  opts: { host: string; port: number; tls: ClusterTls; maxPayload: number; logger: Logger },
  onSocket: (ws: WebSocket, remote: string) => void,
): Promise<MeshServer> {
  const expected = fingerprint(opts.tls.cert);
  const server: Server = createServer({
    ...tlsOptions(opts.tls),
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on('tlsClientError', (err, socket) => {
    opts.logger.warn('refused a mesh client at the TLS handshake', {
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      error: errorMessage(err),
    });
  });
  // A client still in its TLS handshake (e.g. a peer frozen mid-dial) is no HTTP connection yet:
  // closeAllConnections() misses it and close() would wait for it up to the TLS handshake timeout
  // (120 s). Every accepted socket is tracked so that close() can end it.
  const accepted = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    accepted.add(socket);
    socket.once('close', () => accepted.delete(socket));
  });
  const wss = new WebSocketServer({ server, maxPayload: opts.maxPayload, perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    const sock = req.socket as TLSSocket;
    const remote = `${sock.remoteAddress}:${sock.remotePort}`;
    const peer = sock.getPeerX509Certificate();
    if (peer === undefined || peer.fingerprint256 !== expected) {
      opts.logger.warn('refused a mesh client presenting another certificate', { remote });
      ws.on('error', () => {}); // an unhandled 'error' would crash the process; the refusal is logged
      ws.close(4003, 'not the cluster certificate');
      return;
    }
    onSocket(ws, remote);
  });
  wss.on('error', (err) => opts.logger.error('mesh server error', { error: errorMessage(err) }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
        for (const socket of accepted) socket.destroy();
      }),
  };
}

/**
 * Dials `wss://address/` presenting the cluster certificate; resolves once open and the server's
 * certificate is the cluster one (hostname checks are off: members are known by certificate).
 */
export function dialMesh(opts: {
  address: string;
  tls: ClusterTls;
  maxPayload: number;
  timeoutMs: number;
}): Promise<WebSocket> {
  const expected = fingerprint(opts.tls.cert);
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`wss://${opts.address}/`, {
      ...tlsOptions(opts.tls),
      // Node's tls treats any truthy return as a failure; @types/ws wrongly types it as boolean.
      checkServerIdentity: noHostnameCheck as unknown as () => boolean,
      perMessageDeflate: false,
      maxPayload: opts.maxPayload,
      handshakeTimeout: opts.timeoutMs,
    });
    const fail = (err: Error) => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      reject(err);
    };
    ws.once('error', fail);
    ws.once('close', () => fail(new Error('closed before open')));
    ws.once('open', () => {
      ws.removeAllListeners();
      const sock = (ws as unknown as { _socket?: TLSSocket })._socket;
      const peer = sock?.getPeerX509Certificate();
      if (peer === undefined || peer.fingerprint256 !== expected) {
        fail(new Error('server does not present the cluster certificate'));
        return;
      }
      resolve(ws);
    });
  });
}
