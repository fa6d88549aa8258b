import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@shoal/log';
import { STATUS_PAGE_HTML } from './page.js';
import { type StatusMember, type StatusSource, takeSnapshot } from './snapshot.js';

/** A change worth a new snapshot; `removed` carries a member that left the mesh. */
export interface StatusChange {
  reason: string;
  removed?: StatusMember;
}

export interface StatusDeps {
  logger: Logger;
  source: StatusSource;
  /** Registers a change listener (membership events, peer connect/disconnect); returns its removal. */
  subscribe(onChange: (change: StatusChange) => void): () => void;
}

export interface StatusOptions {
  /** Snapshot sent to every client this often even without a change; default 5 s. */
  heartbeatMs?: number;
  /** Removed members still shown (as `removed`), newest kept; default 20. */
  maxRemembered?: number;
}

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The live status page: `GET /status` (a self-contained HTML page) and `GET /status/events`
 * (server-sent events: a full snapshot on connect, on every change and every `heartbeatMs`).
 * Both are served after the API's basic authentication (see `authedRoutes`).
 */
export class StatusService {
  private readonly clients = new Set<ServerResponse>();
  private readonly removed = new Map<string, StatusMember>();
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: StatusDeps,
    private readonly options: StatusOptions = {},
  ) {}

  /** The routes to mount on the API server (authenticated). */
  routes(): Map<string, Route> {
    return new Map<string, Route>([
      ['/status', (req, res) => this.page(req, res)],
      ['/status/events', (req, res) => this.events(req, res)],
    ]);
  }

  /** Number of connected event-stream clients. */
  get clientCount(): number {
    return this.clients.size;
  }

  start(): void {
    if (this.unsubscribe !== undefined) return;
    this.unsubscribe = this.deps.subscribe((c) => this.changed(c));
    this.timer = setInterval(() => this.broadcast('heartbeat'), this.options.heartbeatMs ?? 5_000);
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private changed(c: StatusChange): void {
    if (c.removed !== undefined) {
      this.removed.delete(c.removed.address);
      this.removed.set(c.removed.address, c.removed);
      const max = this.options.maxRemembered ?? 20;
      for (const key of this.removed.keys()) {
        if (this.removed.size <= max) break;
        this.removed.delete(key);
      }
    } else if (c.reason === 'member-up') {
      // A member back at the same address is no longer "removed".
      this.removed.clear();
    }
    this.broadcast(c.reason);
  }

  private page(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      methodNotAllowed(res);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Everything is inline; nothing else may load or frame the page.
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : STATUS_PAGE_HTML);
  }

  private events(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      methodNotAllowed(res);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    const gone = (): void => {
      this.clients.delete(res);
    };
    req.on('close', gone);
    res.on('close', gone);
    res.on('error', (err) => {
      this.deps.logger.debug('status stream closed with an error', { err });
      gone();
    });
    this.sendTo([res], 'connect');
  }

  private broadcast(reason: string): void {
    if (this.clients.size > 0) this.sendTo([...this.clients], reason);
  }

  private sendTo(targets: ServerResponse[], reason: string): void {
    takeSnapshot(this.deps.source, reason, this.removed).then(
      (snap) => {
        const frame = `event: snapshot\ndata: ${JSON.stringify(snap)}\n\n`;
        for (const res of targets) if (this.clients.has(res) && !res.writableEnded) res.write(frame);
      },
      (err: unknown) => this.deps.logger.error('status snapshot failed', { reason, err }),
    );
  }
}

function methodNotAllowed(res: ServerResponse): void {
  res.writeHead(405, { allow: 'GET', 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'HTTP method not allowed, supported methods: GET' }));
}
