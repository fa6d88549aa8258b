export { ClientSpawner, type ClientSpawnerOptions, type Socks5Options, usesProxy } from './client-spawner.js';
export {
  FrontendError,
  type FrontendErrorCode,
  type FrontendErrorJSON,
  type FrontendErrorMeta,
} from './errors.js';
export {
  FRONTEND_ROLE,
  Frontend,
  type FrontendDeps,
  type FrontendEvents,
  type FrontendOptions,
} from './frontend.js';
export {
  buildInit,
  checkRemoteInit,
  type InitRefusal,
  type RemoteEndpoint,
  remoteAddrTlv,
} from './init-rules.js';
export { type ConnectionState, FrontendMetrics, type GossipOutcome } from './metrics.js';
export { type GossipRouterPort, PeerConnection, type PeerConnectionTimeouts } from './peer-connection.js';
export { BACKEND_ROLE, Readiness } from './readiness.js';
export { GraphSync } from './router/graph-sync.js';
export { FrontendRouter, type FrontendRouterDeps, type FrontendRouterEvents } from './router/router.js';
export type { FrontendRouterOptions, RouterPeer } from './router/types.js';
