import { randomUUID } from 'node:crypto';
import type { Address } from '@shoal/wire';
import { FEATURES, type FeatureName, Features, formatAddress, parseAddress } from '@shoal/wire';
import {
  ApiError,
  type ApiHandlers,
  type CallContext,
  type ClusterMemberResult,
  type ClusterResult,
  type ConnectParams,
  type DisconnectParams,
  type FeatureSupport,
  type GetInfoResult,
  type GossipSyncResult,
  type PeerResult,
} from './api/index.js';
import { BACKEND_VERSION } from './constants.js';
import { BackendError } from './errors.js';

/** What the API handlers read and drive; implemented by the {@link Backend}. */
export interface NodeView {
  readonly nodeId: Uint8Array;
  readonly alias: string;
  /** `#rrggbb`. */
  readonly color: string;
  readonly network: string;
  readonly chainHash: Uint8Array;
  readonly features: Uint8Array;
  readonly publicAddresses: Address[];
  blockHeight(): Promise<number>;
  peers(): PeerResult[];
  /** Resolves `connected` or `already connected`; rejects with a {@link BackendError}. */
  connect(nodeId: Uint8Array, address: Address | undefined, signal: AbortSignal): Promise<string>;
  /** False when the peer is unknown. */
  disconnect(nodeId: Uint8Array): Promise<boolean>;
  cluster(): ClusterResult;
  /** Our own initial gossip sync, for `getinfo` (absent: not shown). */
  gossipSync?(): GossipSyncResult;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** BOLT 9 names of the features set in `bytes`, as Eclair's `getinfo` shows them. */
export function activatedFeatures(bytes: Uint8Array): Record<string, FeatureSupport> {
  const f = Features.fromBytes(bytes);
  const out: Record<string, FeatureSupport> = {};
  for (const name of Object.keys(FEATURES) as FeatureName[]) {
    const s = f.support(name);
    if (s !== undefined) out[name] = s === 'compulsory' ? 'mandatory' : 'optional';
  }
  return out;
}

/** The text form (`host:port`) of an address the API got, for a `ConnectionRequest`. */
export function hostPort(a: Address): { host: string; port: number } {
  const text = formatAddress(a);
  if (text === undefined || a.type === 'unknown') {
    throw new ApiError('API_BAD_PARAM', 'this address type cannot be dialled', { param: 'uri' });
  }
  const host = text.slice(0, text.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1');
  return { host, port: a.port };
}

/** Maps the backend's errors to the API's (the message is shown to the client). */
function apiError(err: unknown): unknown {
  if (!(err instanceof BackendError)) return err;
  switch (err.code) {
    case 'BACKEND_FRONTEND_UNAVAILABLE':
      return new ApiError('API_UNAVAILABLE', err.message, err.meta, { cause: err });
    case 'BACKEND_CONNECT_FAILED':
    case 'BACKEND_CONNECT_TIMEOUT':
      return new ApiError('API_FAILED', `connection failed: ${err.message}`, err.meta, { cause: err });
    default:
      return err;
  }
}

/** The Eclair-compatible API handlers over a {@link NodeView}. */
export function createHandlers(node: NodeView): ApiHandlers {
  const instanceId = randomUUID();
  return {
    async getInfo(): Promise<GetInfoResult> {
      return {
        version: BACKEND_VERSION,
        nodeId: node.nodeId,
        alias: node.alias,
        color: node.color,
        features: { activated: activatedFeatures(node.features) },
        chainHash: node.chainHash,
        network: node.network,
        blockHeight: await node.blockHeight(),
        publicAddresses: node.publicAddresses,
        instanceId,
        ...(node.gossipSync === undefined ? {} : { gossipSync: node.gossipSync() }),
      };
    },
    async peers(): Promise<PeerResult[]> {
      return node.peers();
    },
    async connect(p: ConnectParams, ctx: CallContext): Promise<string> {
      try {
        return await node.connect(p.nodeId, p.address, ctx.signal);
      } catch (err) {
        throw apiError(err);
      }
    },
    async disconnect(p: DisconnectParams): Promise<string> {
      const id = hex(p.nodeId);
      if (!(await node.disconnect(p.nodeId))) throw new ApiError('API_NOT_FOUND', `peer ${id} not found`);
      return `peer ${id} disconnecting`;
    },
    async cluster(): Promise<ClusterResult> {
      return node.cluster();
    },
    async state() {
      return { state: 'RUNNING' };
    },
  };
}

/** A frontend's `host:port` text of the peer's remote end, as a BOLT 7 address (undefined if odd). */
export function remoteAddress(text: string | undefined): Address | undefined {
  if (text === undefined) return undefined;
  try {
    return parseAddress(text);
  } catch {
    // Shown as absent rather than failing `peers`: the frontend's text is informational.
    return undefined;
  }
}

export type { ClusterMemberResult };
