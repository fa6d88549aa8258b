import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@shoal/log';
import { AUTH_REALM, type AuthResult, createBasicAuth } from './auth.js';
import { parseForm, readBody } from './body.js';
import { ApiError } from './errors.js';
import { toJsonText } from './json.js';
import { FormParams } from './params.js';
import { type AnyApiCall, API_CALLS, STATE_CALL } from './routes.js';
import type { ApiHandlers, CallContext } from './types.js';

/** Told about every answered request (e.g. to feed a prom-client counter and histogram). */
export interface ApiMetrics {
  /** `call` is the call name, or `unknown` for unknown paths, so its cardinality stays bounded. */
  requestDone(call: string, status: number, seconds: number): void;
}

export interface ApiServerDeps {
  logger: Logger;
  handlers: ApiHandlers;
  metrics?: ApiMetrics;
  /**
   * Calls served besides {@link API_CALLS}, e.g. the wallet's (`getnewaddress`, `sendonchain`)
   * wrapped with {@link formCall}; a name already served is refused.
   */
  extraCalls?: readonly AnyApiCall[];
  /**
   * Paths served by their own listener, before and without authentication (e.g. `/metrics` for
   * Prometheus). Never put anything that changes the node or reveals a secret here.
   */
  publicRoutes?: ReadonlyMap<string, (req: IncomingMessage, res: ServerResponse) => void>;
  /**
   * Paths served by their own listener after basic authentication (same rules and 401 as the
   * calls), e.g. the status page and its event stream; they answer even while waiting to start.
   */
  authedRoutes?: ReadonlyMap<string, (req: IncomingMessage, res: ServerResponse) => void>;
}

export interface ApiServerOptions {
  /** Interface to bind (Eclair's `api.binding-ip`, default there 127.0.0.1). */
  host: string;
  /** 0 picks a free port (see {@link ApiServer.port}). */
  port: number;
  /** Eclair's `api.password`; required, never logged. */
  password: string;
  /** Largest request body; default 64 KiB. */
  maxBodyBytes?: number;
  /** Default call timeout when the request has no `timeoutSeconds`; default 30 s (Eclair's). */
  defaultTimeoutMs?: number;
  /** Pause before answering a failed authentication, to slow password guessing; default 1000 ms (Eclair's). */
  authFailureDelayMs?: number;
  /** Serve `/v1/state` without authentication (for load balancer health checks); default false. */
  publicState?: boolean;
  /** Start in `WAITING_TO_START` mode (a standby backend); default false. */
  waitingToStart?: boolean;
}

export interface ApiServer {
  start(): Promise<void>;
  /** Stops listening, aborts calls in flight and closes every connection. */
  stop(): Promise<void>;
  /** The bound port (after `start`). */
  readonly port: number;
  /**
   * While true, `/v1/state` and `getinfo` answer `WAITING_TO_START` and every other call 503.
   * `leader` (e.g. `backend-a (epoch 42)`) is shown in both answers when the active backend is known.
   */
  setWaitingToStart(waiting: boolean, leader?: string): void;
  readonly waitingToStart: boolean;
}

const DEFAULT_MAX_BODY = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

/** An HTTP response decided before or instead of running a handler. */
class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

const NOT_FOUND = new HttpAnswer(404, { error: 'The requested resource could not be found.' });
const AUTH_MISSING = 'The resource requires authentication, which was not supplied with the request';
const AUTH_INVALID = 'The supplied authentication is invalid';

/**
 * The backend's HTTP API, compatible with Eclair's for the calls it implements: `POST /<call>`
 * with form fields (urlencoded or multipart), HTTP basic auth with the API password, JSON
 * answers with Eclair's field names, errors as `{"error": "..."}`.
 */
export function createApiServer(deps: ApiServerDeps, options: ApiServerOptions): ApiServer {
  if (options.password.length === 0) {
    throw new ApiError('API_BAD_OPTION', 'the API needs a password (api.password)', { option: 'password' });
  }
  const log = deps.logger.child({ component: 'api' });
  const calls = new Map(API_CALLS.map((c) => [`/${c.name}`, c]));
  for (const c of deps.extraCalls ?? []) {
    if (calls.has(`/${c.name}`) || !/^[a-z0-9]+(\/[a-z0-9]+)*$/i.test(c.name)) {
      throw new ApiError('API_BAD_OPTION', `API call name taken or invalid: ${c.name}`, { call: c.name });
    }
    calls.set(`/${c.name}`, c);
  }
  const checkAuth = createBasicAuth(options.password);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const defaultTimeout = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const authDelay = options.authFailureDelayMs ?? 1000;
  let waiting = options.waitingToStart ?? false;
  let leader: string | undefined;
  let server: Server | undefined;
  let boundPort = 0;
  const inFlight = new Set<AbortController>();
  const pendingDelays = new Set<() => void>();

  function delayAuthFailure(): Promise<void> {
    if (authDelay <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, authDelay);
      pendingDelays.add(done);
    });
  }

  async function authenticate(
    req: IncomingMessage,
    c: AnyApiCall | undefined,
  ): Promise<HttpAnswer | undefined> {
    if (options.publicState && c?.name === STATE_CALL) return undefined;
    const result: AuthResult = checkAuth(req.headers.authorization);
    if (result === 'ok') return undefined;
    log.warn('API authentication failed', { reason: result, remote: req.socket.remoteAddress ?? '' });
    await delayAuthFailure();
    return new HttpAnswer(
      401,
      { error: result === 'missing' ? AUTH_MISSING : AUTH_INVALID },
      {
        'www-authenticate': `Basic realm="${AUTH_REALM}", charset="UTF-8"`,
      },
    );
  }

  async function runCall(c: AnyApiCall, req: IncomingMessage, requestId: string): Promise<HttpAnswer> {
    if (waiting) {
      // getinfo too: it is what Eclair's tools and our CLI ask first.
      if (c.name === STATE_CALL || c.name === 'getinfo') {
        return new HttpAnswer(200, {
          state: 'WAITING_TO_START',
          ...(leader === undefined ? {} : { leader }),
        });
      }
      const active =
        leader === undefined ? 'the active backend (none known yet)' : `the active backend: ${leader}`;
      throw new ApiError(
        'API_UNAVAILABLE',
        `this backend is WAITING_TO_START (a standby): only /${STATE_CALL} and /getinfo are served; use ${active}`,
        { call: c.name, ...(leader === undefined ? {} : { leader }) },
      );
    }
    const body = await readBody(req, maxBody);
    const params = new FormParams(parseForm(req.headers['content-type'], body));
    const timeoutMs = params.optionalDurationMs('timeoutSeconds', 3600) ?? defaultTimeout;
    const parsed = c.parse(params);
    const controller = new AbortController();
    inFlight.add(controller);
    const onClose = (): void => controller.abort(new ApiError('API_UNAVAILABLE', 'the client went away'));
    req.socket.once('close', onClose);
    let timer: NodeJS.Timeout | undefined;
    try {
      const ctx: CallContext = { requestId, signal: controller.signal };
      // Settles on timeout, server stop or client gone, even when the handler ignores its signal.
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
        timer = setTimeout(() => {
          controller.abort(new ApiError('API_TIMEOUT', 'request timed out', { call: c.name, timeoutMs }));
        }, timeoutMs);
      });
      const result = await Promise.race([c.run(deps.handlers, parsed, ctx), aborted]);
      return new HttpAnswer(200, result);
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
      req.socket.off('close', onClose);
    }
  }

  function errorAnswer(err: unknown, call: string, requestId: string): HttpAnswer {
    if (err instanceof ApiError && err.code !== 'API_INTERNAL' && err.code !== 'API_BAD_OPTION') {
      const headers: Record<string, string> =
        err.code === 'API_BODY_TOO_LARGE' ? { connection: 'close' } : {};
      if (err.code === 'API_UNAVAILABLE') headers['retry-after'] = '5';
      return new HttpAnswer(err.status, { error: err.message }, headers);
    }
    const errorId = randomUUID();
    log.error('API call failed', { call, requestId, errorId, err });
    return new HttpAnswer(500, { error: `internal error (error id ${errorId})` });
  }

  async function answer(
    req: IncomingMessage,
    requestId: string,
    c: AnyApiCall | undefined,
  ): Promise<HttpAnswer> {
    const denied = await authenticate(req, c);
    if (denied) return denied;
    if (!c) return NOT_FOUND;
    if (!c.methods.includes(req.method ?? '')) {
      return new HttpAnswer(
        405,
        { error: `HTTP method not allowed, supported methods: ${c.methods.join(', ')}` },
        { allow: c.methods.join(', ') },
      );
    }
    try {
      return await runCall(c, req, requestId);
    } catch (err) {
      return errorAnswer(err, c.name, requestId);
    }
  }

  function send(res: ServerResponse, a: HttpAnswer): void {
    const text = toJsonText(a.body);
    res.writeHead(a.status, {
      'content-type': 'application/json',
      'cache-control': 'no-store, max-age=0',
      'access-control-allow-headers': 'Content-Type, Authorization',
      'access-control-allow-methods': 'POST',
      ...a.headers,
    });
    res.end(text);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const own = deps.publicRoutes?.get(path);
    if (own !== undefined) {
      own(req, res);
      return;
    }
    const guarded = deps.authedRoutes?.get(path);
    if (guarded !== undefined) {
      authenticate(req, undefined)
        .then((denied) => (denied ? send(res, denied) : guarded(req, res)))
        .catch((err: unknown) => log.error('API response failed', { path, requestId, err }));
      return;
    }
    const c = calls.get(path);
    const call = c?.name ?? 'unknown';
    answer(req, requestId, c)
      .catch((err: unknown) => errorAnswer(err, call, requestId))
      .then((a) => {
        send(res, a);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        deps.metrics?.requestDone(call, a.status, seconds);
        const fields = { call, method: req.method ?? '', status: a.status, requestId, seconds };
        // Calls that change the node leave an audit line (never their parameters: they may hold secrets).
        if (c?.mutates && a.status !== 401) log.info('API call', fields);
        else log.debug('API request', fields);
      })
      .catch((err: unknown) => log.error('API response failed', { call, requestId, err }));
  }

  return {
    get port() {
      return boundPort;
    },
    get waitingToStart() {
      return waiting;
    },
    setWaitingToStart(w: boolean, active?: string): void {
      if (w !== waiting) log.info('API mode', { waitingToStart: w });
      waiting = w;
      leader = active;
    },
    async start(): Promise<void> {
      if (server) return;
      const s = createServer(onRequest);
      s.headersTimeout = 10_000;
      s.requestTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.port, options.host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      s.on('error', (err) => log.error('API server error', { err }));
      server = s;
      boundPort = (s.address() as AddressInfo).port;
      log.info('API listening', { host: options.host, port: boundPort, waitingToStart: waiting });
    },
    async stop(): Promise<void> {
      const s = server;
      if (!s) return;
      server = undefined;
      for (const done of [...pendingDelays]) done();
      for (const c of inFlight) c.abort(new ApiError('API_UNAVAILABLE', 'the API is stopping'));
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      // Answers to aborted calls are already on their way; then nothing may keep a socket open.
      setImmediate(() => s.closeAllConnections());
      await closed;
      log.info('API stopped');
    },
  };
}
