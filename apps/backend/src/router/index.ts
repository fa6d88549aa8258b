export { GossipMetrics } from './metrics.js';
export { aliasBytes, OwnAnnouncer, type OwnNode, ownNodeAnnouncement } from './own-announcement.js';
export { StoreGraphPersistence } from './persistence.js';
export { GossipRouter, type GossipRouterDeps, type GossipRouterOptions } from './router.js';
export { ChannelSpendWatch, type SpendTarget, type SpendWatchDeps } from './spends.js';
export { deltaBytes, sendPaced, splitBySize } from './stream.js';
export {
  type GossipSyncOptions,
  type GossipSyncPeer,
  GossipSyncTracker,
  type GossipSyncView,
} from './sync-tracker.js';
