import { secp256k1 } from '@shoal/crypto';
import { createLogger, type Logger } from '@shoal/log';
import {
  type ApiHandlers,
  type ApiServer,
  type ApiServerOptions,
  type CallContext,
  type ConnectParams,
  createApiServer,
  type DisconnectParams,
  type GetInfoResult,
  type PeerResult,
} from '../src/api/index.js';

export const PASSWORD = 'correct horse battery staple';
export const NODE_A = secp256k1.publicKeyCreate(Buffer.alloc(32, 1));
export const NODE_B = secp256k1.publicKeyCreate(Buffer.alloc(32, 2));
export const REGTEST_CHAIN_HASH = Buffer.from(
  '06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f',
  'hex',
);

export const GETINFO: GetInfoResult = {
  version: '0.1.0-test',
  nodeId: NODE_A,
  alias: 'shoal',
  color: '#49daaa',
  features: { activated: { var_onion_optin: 'mandatory', gossip_queries: 'optional' } },
  chainHash: REGTEST_CHAIN_HASH,
  network: 'regtest',
  blockHeight: 123,
  publicAddresses: [
    { type: 'ipv4', addr: Uint8Array.of(10, 0, 0, 5), port: 9735 },
    { type: 'ipv6', addr: Buffer.from('20010db8000000000000000000000001', 'hex'), port: 9736 },
  ],
  instanceId: '01234567-0123-4567-89ab-0123456789ab',
};

export const PEERS: PeerResult[] = [
  {
    nodeId: NODE_B,
    state: 'CONNECTED',
    address: { type: 'ipv4', addr: Uint8Array.of(127, 0, 0, 1), port: 9731 },
    channels: 1,
  },
  { nodeId: NODE_A, state: 'DISCONNECTED', channels: 0 },
];

/** A recorded handler call. */
export type Recorded =
  | { call: 'getInfo' | 'peers' | 'cluster' | 'state' }
  | { call: 'connect'; params: ConnectParams }
  | { call: 'disconnect'; params: DisconnectParams };

/** Handlers answering canned results and recording their calls; `override` replaces some. */
export function fakeHandlers(override: Partial<ApiHandlers> = {}): {
  handlers: ApiHandlers;
  calls: Recorded[];
} {
  const calls: Recorded[] = [];
  const handlers: ApiHandlers = {
    getInfo: async () => {
      calls.push({ call: 'getInfo' });
      return GETINFO;
    },
    peers: async () => {
      calls.push({ call: 'peers' });
      return PEERS;
    },
    connect: async (params: ConnectParams, _ctx: CallContext) => {
      calls.push({ call: 'connect', params });
      return 'connected';
    },
    disconnect: async (params: DisconnectParams) => {
      calls.push({ call: 'disconnect', params });
      return `peer ${Buffer.from(params.nodeId).toString('hex')} disconnecting`;
    },
    cluster: async () => {
      calls.push({ call: 'cluster' });
      return {
        self: '127.0.0.1:25520',
        members: [
          { address: '127.0.0.1:25520', roles: ['backend'], status: 'up', protocolVersion: 1, leader: true },
          { address: '127.0.0.1:25521', roles: ['frontend'], status: 'up', protocolVersion: 1, peers: 2 },
        ],
      };
    },
    state: async () => {
      calls.push({ call: 'state' });
      return { state: 'RUNNING' };
    },
    ...override,
  };
  return { handlers, calls };
}

/** A server on 127.0.0.1 with a free port, fake handlers and a captured debug log. */
export interface TestServer {
  server: ApiServer;
  url: string;
  calls: Recorded[];
  logLines: string[];
  logger: Logger;
}

export async function startServer(
  override: Partial<ApiHandlers> = {},
  options: Partial<ApiServerOptions> = {},
): Promise<TestServer> {
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', sink: { write: (l: string) => logLines.push(l) } });
  const { handlers, calls } = fakeHandlers(override);
  const server = createApiServer(
    { logger, handlers },
    { host: '127.0.0.1', port: 0, password: PASSWORD, authFailureDelayMs: 0, ...options },
  );
  await server.start();
  return { server, url: `http://127.0.0.1:${server.port}`, calls, logLines, logger };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** How a form is sent: urlencoded (eclair-cli, `curl -d`) or multipart (`curl -F`). */
export type Encoding = 'urlencoded' | 'multipart';
export const ENCODINGS: readonly Encoding[] = ['urlencoded', 'multipart'];

export function basic(password: string, user = ''): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** POSTs `form` to `url + path` with the right password unless `auth` says otherwise. */
export async function call(
  url: string,
  path: string,
  form: Record<string, string> = {},
  opts: {
    encoding?: Encoding;
    auth?: string | null;
    method?: string;
    body?: string;
    contentType?: string;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.auth !== null) headers.authorization = opts.auth ?? basic(PASSWORD);
  let body: string | FormData | URLSearchParams | undefined;
  if (opts.body !== undefined) {
    body = opts.body;
    if (opts.contentType) headers['content-type'] = opts.contentType;
  } else if (opts.method !== 'GET' && opts.method !== 'HEAD') {
    if ((opts.encoding ?? 'urlencoded') === 'multipart') {
      const fd = new FormData();
      for (const [k, v] of Object.entries(form)) fd.append(k, v);
      body = fd;
    } else {
      body = new URLSearchParams(form);
    }
  }
  const res = await fetch(`${url}${path}`, { method: opts.method ?? 'POST', headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined; // not JSON: tests that expect JSON fail on `json` being undefined
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
