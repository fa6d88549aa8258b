import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChainError } from '../errors.js';
import type { RegtestChain } from '../regtest/regtest-chain.js';
import type { Logger } from '../types.js';
import { METHODS, type MethodContext, RpcFault } from './methods.js';

export interface RegtestRpcServerOptions {
  readonly user: string;
  readonly password: string;
  /** Loopback only by design (default 127.0.0.1). */
  readonly host?: '127.0.0.1' | '::1' | 'localhost';
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** TEST ONLY: answer `getblock` below this height as a pruned node would. */
  readonly prunedBelowHeight?: number;
}

interface JsonRpcRequest {
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

const MAX_BODY = 32 * 1024 * 1024;

/**
 * Serves a {@link RegtestChain} over the subset of Bitcoin Core's JSON-RPC that the bitcoind
 * client uses (plus `generatetoaddress`, `invalidateblock`, `submitblock` for tests), with HTTP
 * basic auth, single and batch requests, and Core's status codes (401, 404/500 on errors).
 */
export class RegtestRpcServer {
  readonly #chain: RegtestChain;
  readonly #options: RegtestRpcServerOptions;
  readonly #logger: Logger | undefined;
  readonly #server: http.Server;
  readonly #expectedAuth: Buffer;

  constructor(deps: { chain: RegtestChain; logger?: Logger }, options: RegtestRpcServerOptions) {
    this.#chain = deps.chain;
    this.#options = options;
    this.#logger = deps.logger;
    this.#expectedAuth = Buffer.from(
      `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`,
    );
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#logger?.error('regtest RPC handler failed', { error: String(error) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    this.#server.keepAliveTimeout = 5000;
  }

  async start(): Promise<void> {
    const host = this.#options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port ?? 0, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve, reject) =>
      this.#server.close((e) => (e ? reject(e) : resolve())),
    );
    this.#server.closeAllConnections();
    await closed;
  }

  /** `http://127.0.0.1:<port>/` of the running server (no credentials). */
  get url(): string {
    const address = this.#server.address() as AddressInfo | null;
    if (!address) throw new ChainError('CHAIN_NOT_STARTED', 'RPC server is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/`;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== this.#expectedAuth.length || !timingSafeEqual(auth, this.#expectedAuth)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="jsonrpc"' });
      res.end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405);
      res.end('JSONRPC server handles only POST requests');
      return;
    }
    const body = await readBody(req);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(res, 500, { result: null, error: { code: -32700, message: 'Parse error' }, id: null });
    }
    if (Array.isArray(parsed)) {
      const replies = [];
      for (const call of parsed) replies.push(await this.#dispatch(call as JsonRpcRequest));
      return send(res, 200, replies);
    }
    const reply = await this.#dispatch(parsed as JsonRpcRequest);
    const status = reply.error === null ? 200 : reply.error.code === -32601 ? 404 : 500;
    send(res, status, reply);
  }

  async #dispatch(call: JsonRpcRequest) {
    const id = call?.id ?? null;
    const handler = typeof call?.method === 'string' ? METHODS[call.method] : undefined;
    if (!handler) return { result: null, error: { code: -32601, message: 'Method not found' }, id };
    const ctx: MethodContext = {
      chain: this.#chain,
      prunedBelowHeight: this.#options.prunedBelowHeight ?? 0,
    };
    try {
      const params = Array.isArray(call.params) ? call.params : [];
      return { result: (await handler(ctx, params)) ?? null, error: null, id };
    } catch (error) {
      return { result: null, error: toRpcError(error), id };
    }
  }
}

function toRpcError(error: unknown): { code: number; message: string } {
  if (error instanceof RpcFault) return { code: error.code, message: error.message };
  if (error instanceof ChainError) {
    const code = error.code === 'CHAIN_NOT_FOUND' ? -5 : error.code === 'CHAIN_INVALID_ARGUMENT' ? -8 : -1;
    return { code, message: error.message };
  }
  return { code: -32603, message: `internal error: ${String(error)}` };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new ChainError('CHAIN_INVALID_ARGUMENT', 'RPC request body too large', { size });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
