import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@shoal/log';
import { metricsHandler, type Registry } from '@shoal/metrics';
import { errorMessage, FrontendError } from './errors.js';

/** What the HTTP endpoints report. */
export interface HttpState {
  ready(): { ready: boolean; reason: string };
  status(): Record<string, unknown>;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}

/**
 * `front.http-port`: `/health` (the process is up), `/ready` (200 only while the backend is
 * reachable: the load balancer's check, 503 otherwise) and `/metrics` (Prometheus).
 */
export async function startHttp(
  deps: { logger: Logger; registry: Registry | undefined; state: HttpState },
  options: { host: string; port: number },
): Promise<{ server: Server; port: number }> {
  const routes = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/health') json(res, 200, { status: 'up', ...deps.state.status() });
    else if (path === '/ready') {
      const r = deps.state.ready();
      json(res, r.ready ? 200 : 503, r.ready ? { ready: true } : { ready: false, reason: r.reason });
    } else json(res, 404, { error: 'not found' });
  };
  const handler =
    deps.registry === undefined
      ? routes
      : metricsHandler(deps.registry, {
          next: routes,
          onError: (err) => deps.logger.error('metrics collection failed', { error: err.message }),
        });
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new FrontendError(
          'FRONTEND_LISTEN_FAILED',
          `cannot listen on HTTP ${options.host}:${options.port}: ${errorMessage(err)}`,
          { host: options.host, port: options.port },
          { cause: err },
        ),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  server.on('error', (err) => deps.logger.error('HTTP server error', { error: err.message }));
  return { server, port: (server.address() as AddressInfo).port };
}
