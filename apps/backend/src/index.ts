export { Backend, type BackendDeps, type BackendOptions } from './backend.js';
export { BACKEND_VERSION, CHANNELS_UNSUPPORTED, OUR_INIT_FEATURES } from './constants.js';
export {
  BackendError,
  type BackendErrorCode,
  type BackendErrorJSON,
  type BackendErrorMeta,
} from './errors.js';
export { activatedFeatures, createHandlers, type NodeView } from './handlers.js';
export { BackendMetrics, CONNECT_REQUESTS_TOTAL, PEER_DISCONNECTS_TOTAL } from './metrics.js';
export { Peer, type PeerHost } from './peer.js';
export { type ReconnectDeps, type ReconnectEvents, type ReconnectOptions, Reconnector } from './reconnect.js';
export { Switchboard, type SwitchboardDeps, type SwitchboardEvents } from './switchboard.js';
