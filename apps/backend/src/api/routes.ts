import { type Address, formatAddress } from '@shoal/wire';
import { ApiError } from './errors.js';
import { badParam, type FormParams, missingParam, parseHostPort, parseInteger } from './params.js';
import type {
  ApiHandlers,
  CallContext,
  ClusterResult,
  ConnectParams,
  GetInfoResult,
  NodeStateResult,
  PeerResult,
} from './types.js';

/** One API call: how to parse its form fields, which handler runs it and how its result looks in JSON. */
export interface ApiCall<P> {
  /** The path without its slash, as in Eclair (`getinfo`), or `v1/state`. */
  readonly name: string;
  /** HTTP methods accepted; Eclair accepts only POST. */
  readonly methods: readonly string[];
  /** A one-line description for `help` listings. */
  readonly summary: string;
  /** Form fields read, for `help` listings (`?` marks optional ones). */
  readonly fields: readonly string[];
  /** Changes the node (connect, open, pay...): logged at info level as an audit trail. */
  readonly mutates?: boolean;
  parse(params: FormParams): P;
  run(handlers: ApiHandlers, params: P, ctx: CallContext): Promise<unknown>;
}

/** A call whose parameter type is hidden, so calls of different types share one table. */
export type AnyApiCall = ApiCall<unknown>;

function call<P>(c: ApiCall<P>): AnyApiCall {
  return c as AnyApiCall;
}

/** Eclair writes addresses as `host:port` text; an unknown BOLT 7 descriptor type has no text form. */
function addressText(a: Address): string | undefined {
  return formatAddress(a);
}

/** Eclair's `getinfo` JSON, fields in Eclair's order; `features.unknown` only when non-empty. */
function renderGetInfo(r: GetInfoResult): unknown {
  const features: Record<string, unknown> = { activated: r.features.activated };
  if (r.features.unknown !== undefined && r.features.unknown.length > 0)
    features.unknown = r.features.unknown;
  return {
    version: r.version,
    nodeId: r.nodeId,
    alias: r.alias,
    color: r.color,
    features,
    chainHash: r.chainHash,
    network: r.network,
    blockHeight: r.blockHeight,
    publicAddresses: r.publicAddresses.map(addressText).filter((a) => a !== undefined),
    instanceId: r.instanceId,
    ...(r.gossipSync === undefined ? {} : { gossipSync: r.gossipSync }),
  };
}

/** Eclair's `PeerInfo` JSON: `address` only while known; Shoal's `frontend` last. */
function renderPeer(p: PeerResult): unknown {
  const address = p.address === undefined ? undefined : addressText(p.address);
  const out: Record<string, unknown> =
    address === undefined
      ? { nodeId: p.nodeId, state: p.state, channels: p.channels }
      : { nodeId: p.nodeId, state: p.state, address, channels: p.channels };
  // Shoal addition, after Eclair's fields so tools reading those are unaffected.
  if (p.frontend !== undefined) out.frontend = p.frontend;
  return out;
}

/** `connect` accepts three forms, tried in Eclair's order: `uri`, `nodeId`+`host`(+`port`), `nodeId`. */
function parseConnect(p: FormParams): ConnectParams {
  if (p.has('uri')) return p.nodeUri('uri');
  if (!p.has('nodeId')) {
    throw new ApiError(
      'API_MISSING_PARAM',
      "Request is missing required form field 'uri' (or 'nodeId', with optional 'host' and 'port')",
      { param: 'uri' },
    );
  }
  const nodeId = p.publicKey('nodeId');
  const host = p.optionalString('host');
  if (host === undefined) {
    if (p.has('port')) throw missingParam('host');
    return { nodeId };
  }
  const portText = p.optionalString('port');
  const port = portText === undefined ? undefined : parseInteger('port', portText, 1, 65535);
  if (host === '' || /[[\]@/\s]/.test(host)) throw badParam('host', 'expected a host name or an IP address');
  // A bare IPv6 host gets the brackets the `host:port` text form needs.
  const bracketed = host.includes(':') ? `[${host}]` : host;
  const address = parseHostPort('host', port === undefined ? bracketed : `${bracketed}:${port}`);
  return { nodeId, address };
}

/** Every call the API serves. Later calls (open, close, channels...) are added here. */
export const API_CALLS: readonly AnyApiCall[] = [
  call<void>({
    name: 'getinfo',
    methods: ['POST'],
    summary: 'node id, alias, features, chain, block height, public addresses',
    fields: [],
    parse: () => undefined,
    run: async (h, _p, ctx) => renderGetInfo(await h.getInfo(ctx)),
  }),
  call<void>({
    name: 'peers',
    methods: ['POST'],
    summary: 'known peers, connected or not',
    fields: [],
    parse: () => undefined,
    run: async (h, _p, ctx) => (await h.peers(ctx)).map(renderPeer),
  }),
  call<ConnectParams>({
    name: 'connect',
    methods: ['POST'],
    summary: 'connect to a node (no channel is opened)',
    fields: ['uri', 'nodeId?', 'host?', 'port?'],
    mutates: true,
    parse: parseConnect,
    run: (h, p, ctx) => h.connect(p, ctx),
  }),
  call<{ nodeId: Uint8Array }>({
    name: 'disconnect',
    methods: ['POST'],
    summary: 'disconnect from a peer',
    fields: ['nodeId'],
    mutates: true,
    parse: (p) => ({ nodeId: p.publicKey('nodeId') }),
    run: (h, p, ctx) => h.disconnect(p, ctx),
  }),
  call<void>({
    name: 'cluster',
    methods: ['POST'],
    summary: 'Shoal: cluster members, roles, status, peers per frontend',
    fields: [],
    parse: () => undefined,
    run: (h, _p, ctx): Promise<ClusterResult> => h.cluster(ctx),
  }),
  call<void>({
    name: 'v1/state',
    methods: ['GET', 'POST'],
    summary: 'Shoal: WAITING_TO_START on a standby backend, else the node state',
    fields: [],
    parse: () => undefined,
    run: (h, _p, ctx): Promise<NodeStateResult> => h.state(ctx),
  }),
];

/** Options of {@link formCall}. */
export interface FormCallOptions {
  summary?: string;
  /** HTTP methods; default POST only. */
  methods?: readonly string[];
  /** See {@link ApiCall.mutates}. */
  mutates?: boolean;
  /**
   * Turns a handler's own error into a client error (e.g. a wallet's invalid-argument error into
   * {@link badParam}); `undefined` leaves it a 500 with a logged error id.
   */
  clientError?: (err: unknown) => ApiError | undefined;
}

/**
 * A call whose handler takes the raw form fields (`Record<name, value>`) and returns a
 * JSON-serialisable result, for components that parse their own parameters (the wallet's
 * Eclair-style handlers). Prefer typed calls in {@link API_CALLS} for anything new.
 */
export function formCall(
  name: string,
  run: (fields: Readonly<Record<string, string>>, ctx: CallContext) => Promise<unknown>,
  opts: FormCallOptions = {},
): AnyApiCall {
  return call<Readonly<Record<string, string>>>({
    name,
    methods: opts.methods ?? ['POST'],
    summary: opts.summary ?? '',
    fields: [],
    mutates: opts.mutates ?? false,
    parse: (p) => p.all(),
    run: async (_h, fields, ctx) => {
      try {
        return await run(fields, ctx);
      } catch (err) {
        throw opts.clientError?.(err) ?? err;
      }
    },
  });
}

/** Name of the call that stays available while the API is marked `WAITING_TO_START`. */
export const STATE_CALL = 'v1/state';
