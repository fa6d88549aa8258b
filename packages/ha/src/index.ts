export { createLeaderElector, type LeaderElectorOptions } from './create.js';
export { HaError, type HaErrorCode, type HaErrorJson, type HaErrorMeta, isHaError } from './errors.js';
export { EtcdElector, type EtcdElectorOptions } from './etcd.js';
export { fenceStore } from './fenced-store.js';
export { HaMetrics, LEADER_ELECTIONS_TOTAL, LEADER_EPOCH, LEADER_TAKEOVER_SECONDS } from './metrics.js';
export { NoneElector, type NoneElectorOptions } from './none.js';
export { freePort, startEtcd, type TestEtcd } from './testing/etcd.js';
export type {
  ElectorDeps,
  ElectorKind,
  LeaderElector,
  LeaderInfo,
  LeaderObserver,
  Leadership,
} from './types.js';
