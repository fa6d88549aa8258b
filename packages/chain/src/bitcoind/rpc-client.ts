import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { ChainError } from '../errors.js';
import type { Logger } from '../types.js';

export interface RpcClientOptions {
  /** `http://host:port[/wallet/name]`; credentials may be embedded (`http://user:pass@host:port`). */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** Bitcoin Core's `.cookie` file (`__cookie__:<password>`), re-read when the node rejects it. */
  readonly cookieFile?: string;
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Retries of a request that could not reach the node or found it warming up (default 5). */
  readonly retries?: number;
  /** First back-off delay, doubled each retry up to 5 s (default 250 ms). */
  readonly retryBaseMs?: number;
}

/** One call of a batch. */
export interface RpcCall {
  readonly method: string;
  readonly params?: readonly unknown[];
}

interface RpcResponse {
  result?: unknown;
  error?: { code: number; message: string } | null;
  id?: number | string | null;
}

/** Bitcoin Core RPC error codes this package reacts to. */
export const RPC_CODES = {
  MISC_ERROR: -1,
  INVALID_ADDRESS_OR_KEY: -5,
  INVALID_PARAMETER: -8,
  VERIFY_ERROR: -25,
  VERIFY_REJECTED: -26,
  VERIFY_ALREADY_IN_CHAIN: -27,
  IN_WARMUP: -28,
  METHOD_NOT_FOUND: -32601,
} as const;

const RETRYABLE_NET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Bitcoin Core JSON-RPC over HTTP with keep-alive, batching, retries with exponential back-off
 * and typed errors: CHAIN_UNAUTHORIZED, CHAIN_UNREACHABLE, CHAIN_PRUNED, CHAIN_TX_REJECTED,
 * CHAIN_NOT_FOUND, CHAIN_RPC_ERROR (`meta.rpcCode`), CHAIN_BAD_RESPONSE.
 */
export class BitcoindRpcClient {
  readonly #url: URL;
  readonly #options: RpcClientOptions;
  readonly #logger: Logger | undefined;
  readonly #agent: http.Agent;
  #auth: string | undefined;
  #nextId = 1;

  constructor(deps: { logger?: Logger }, options: RpcClientOptions) {
    this.#url = new URL(options.url);
    if (this.#url.protocol !== 'http:' && this.#url.protocol !== 'https:') {
      throw new ChainError('CHAIN_INVALID_ARGUMENT', 'RPC URL must be http or https', {
        url: redact(this.#url),
      });
    }
    this.#options = options;
    this.#logger = deps.logger;
    const AgentClass = this.#url.protocol === 'https:' ? https.Agent : http.Agent;
    this.#agent = new AgentClass({ keepAlive: true, maxSockets: 4 });
    const user = options.user ?? decodeURIComponent(this.#url.username);
    const password = options.password ?? decodeURIComponent(this.#url.password);
    if (user || password) this.#auth = basic(user, password);
    this.#url.username = '';
    this.#url.password = '';
  }

  /** The node URL without credentials (for logs). */
  get url(): string {
    return this.#url.toString();
  }

  async call<T = unknown>(method: string, params: readonly unknown[] = []): Promise<T> {
    const id = this.#nextId++;
    const reply = (await this.#post({ jsonrpc: '1.0', id, method, params }, method)) as RpcResponse;
    if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) {
      throw new ChainError('CHAIN_BAD_RESPONSE', 'RPC reply is not a JSON-RPC object', { method });
    }
    if (reply.error) throw mapRpcError(method, reply.error);
    return reply.result as T;
  }

  /** Sends the calls as one JSON-RPC batch; each slot holds the result or the mapped error. */
  async batch(calls: readonly RpcCall[]): Promise<(unknown | ChainError)[]> {
    if (calls.length === 0) return [];
    const first = this.#nextId;
    this.#nextId += calls.length;
    const body = calls.map((c, i) => ({
      jsonrpc: '1.0',
      id: first + i,
      method: c.method,
      params: c.params ?? [],
    }));
    const reply = await this.#post(body, 'batch');
    if (!Array.isArray(reply)) throw new ChainError('CHAIN_BAD_RESPONSE', 'batch reply is not an array');
    const byId = new Map<unknown, RpcResponse>(reply.map((r: RpcResponse) => [r.id, r]));
    return calls.map((c, i) => {
      const r = byId.get(first + i);
      if (!r) return new ChainError('CHAIN_BAD_RESPONSE', 'batch reply lacks an id', { method: c.method });
      return r.error ? mapRpcError(c.method, r.error) : r.result;
    });
  }

  close(): void {
    this.#agent.destroy();
  }

  async #post(body: unknown, method: string): Promise<unknown> {
    const retries = this.#options.retries ?? 5;
    const base = this.#options.retryBaseMs ?? 250;
    let cookieReloaded = false;
    for (let attempt = 0; ; attempt++) {
      if (this.#auth === undefined && this.#options.cookieFile) await this.#loadCookie();
      try {
        const { status, text } = await this.#request(JSON.stringify(body));
        if (status === 401 || status === 403) {
          if (this.#options.cookieFile && !cookieReloaded) {
            // The node rewrites its cookie on every restart.
            cookieReloaded = true;
            await this.#loadCookie();
            continue;
          }
          throw new ChainError(
            'CHAIN_UNAUTHORIZED',
            `bitcoind refused the RPC credentials (HTTP ${status})`,
            {
              url: this.url,
              status,
            },
          );
        }
        if (status === 503 && attempt < retries) {
          await this.#backoff(attempt, base, method, `HTTP ${status}`);
          continue;
        }
        const parsed = parseJson(text, method, status);
        const warmup = !Array.isArray(parsed) && (parsed as RpcResponse)?.error?.code === RPC_CODES.IN_WARMUP;
        if (warmup && attempt < retries) {
          await this.#backoff(attempt, base, method, 'warming up');
          continue;
        }
        return parsed;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const retryable = code !== undefined && (RETRYABLE_NET.has(code) || code === 'RPC_TIMEOUT');
        if (!retryable) throw error;
        if (attempt >= retries) {
          throw new ChainError(
            'CHAIN_UNREACHABLE',
            `bitcoind at ${this.url} is unreachable after ${attempt + 1} attempts (${code})`,
            { url: this.url, attempts: attempt + 1, cause: code },
            { cause: error },
          );
        }
        await this.#backoff(attempt, base, method, code);
      }
    }
  }

  async #backoff(attempt: number, base: number, method: string, why: string): Promise<void> {
    const ms = Math.min(5000, base * 2 ** attempt);
    this.#logger?.warn('bitcoind RPC retry', { method, attempt: attempt + 1, delayMs: ms, why });
    await delay(ms);
  }

  async #loadCookie(): Promise<void> {
    const file = this.#options.cookieFile!;
    let text: string;
    try {
      text = (await readFile(file, 'utf8')).trim();
    } catch (error) {
      throw new ChainError(
        'CHAIN_UNAUTHORIZED',
        `cannot read the bitcoind cookie file ${file}`,
        { file },
        { cause: error },
      );
    }
    const colon = text.indexOf(':');
    if (colon < 0) throw new ChainError('CHAIN_UNAUTHORIZED', 'malformed bitcoind cookie file', { file });
    this.#auth = basic(text.slice(0, colon), text.slice(colon + 1));
  }

  #request(payload: string): Promise<{ status: number; text: string }> {
    const mod = this.#url.protocol === 'https:' ? https : http;
    const timeout = this.#options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      };
      if (this.#auth) headers.authorization = this.#auth;
      const req = mod.request(this.#url, { method: 'POST', agent: this.#agent, headers, timeout }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.on('timeout', () => {
        req.destroy(
          Object.assign(new Error(`RPC request timed out after ${timeout} ms`), { code: 'RPC_TIMEOUT' }),
        );
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function redact(url: URL): string {
  const copy = new URL(url.toString());
  copy.username = '';
  copy.password = '';
  return copy.toString();
}

function parseJson(text: string, method: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ChainError(
      'CHAIN_BAD_RESPONSE',
      `bitcoind answered HTTP ${status} without JSON`,
      { method, status },
      { cause: error },
    );
  }
}

/** Maps a Bitcoin Core RPC error to a {@link ChainError}. */
export function mapRpcError(method: string, error: { code: number; message: string }): ChainError {
  const meta = { method, rpcCode: error.code, rpcMessage: error.message };
  if (/prune/i.test(error.message)) {
    return new ChainError(
      'CHAIN_PRUNED',
      `bitcoind has pruned the data ${method} needs: ${error.message}`,
      meta,
    );
  }
  if (
    error.code === RPC_CODES.VERIFY_ERROR ||
    error.code === RPC_CODES.VERIFY_REJECTED ||
    error.code === RPC_CODES.VERIFY_ALREADY_IN_CHAIN
  ) {
    return new ChainError('CHAIN_TX_REJECTED', `transaction rejected: ${error.message}`, {
      ...meta,
      reason: error.message,
    });
  }
  if (error.code === RPC_CODES.INVALID_ADDRESS_OR_KEY) {
    return new ChainError('CHAIN_NOT_FOUND', `${method}: ${error.message}`, meta);
  }
  return new ChainError('CHAIN_RPC_ERROR', `${method}: ${error.message} (${error.code})`, meta);
}
