export { AUTH_REALM, type AuthResult, createBasicAuth } from './auth.js';
export { multipartBoundary, parseForm, parseMultipart, readBody } from './body.js';
export {
  API_ERROR_STATUS,
  ApiError,
  type ApiErrorCode,
  type ApiErrorJSON,
  type ApiErrorMeta,
} from './errors.js';
export { toJsonText } from './json.js';
export {
  badParam,
  DEFAULT_LIGHTNING_PORT,
  FormParams,
  missingParam,
  type NodeUri,
  parseAmount,
  parseBoolean,
  parseDurationMs,
  parseHex,
  parseHostPort,
  parseInteger,
  parseNodeUri,
  parsePublicKey,
} from './params.js';
export {
  type AnyApiCall,
  API_CALLS,
  type ApiCall,
  type FormCallOptions,
  formCall,
  STATE_CALL,
} from './routes.js';
export {
  type ApiMetrics,
  type ApiServer,
  type ApiServerDeps,
  type ApiServerOptions,
  createApiServer,
} from './server.js';
export type {
  ApiHandlers,
  CallContext,
  ClusterMemberResult,
  ClusterMemberStatus,
  ClusterResult,
  ConnectParams,
  DisconnectParams,
  FeatureSupport,
  GetInfoResult,
  GossipSyncResult,
  NodeState,
  NodeStateResult,
  PeerResult,
  PeerState,
} from './types.js';
