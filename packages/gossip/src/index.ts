export { connectableAddresses } from './addresses.js';
export { channelUpdateChecksum } from './checksum.js';
export * from './constants.js';
export { crc32c } from './crc32c.js';
export { GossipDeduplicator, isKnown, type OfferResult } from './dedup.js';
export { GossipError, type GossipErrorCode, type GossipErrorJSON, type GossipErrorMeta } from './errors.js';
export { gossipForFilter } from './filter.js';
export { fundingScriptPubKey, fundingWitnessScript, keyLess } from './funding.js';
export { RoutingGraph, updateInfo } from './graph.js';
export type { ChannelInfo, GraphStats, NodeAnnouncementInfo, NodeInfo, UpdateInfo } from './graph-types.js';
export { type GossipIdentity, gossipIdentity } from './identity.js';
export { PenaltyBox, type PenaltyOptions } from './penalty.js';
export {
  type ChannelNodesLookup,
  checkChannelAnnouncementSignatures,
  checkChannelUpdateSignature,
  checkNodeAnnouncementSignature,
  type DecodeResult,
  decodeGossip,
  type Gossip,
  type PrecheckOptions,
  type PrecheckResult,
  precheckGossip,
} from './precheck.js';
export {
  type GossipDecision,
  GossipProcessor,
  type GossipProcessorDeps,
  type GossipProcessorOptions,
} from './processor.js';
export {
  answerQueryChannelRange,
  answerQueryShortChannelIds,
  maxIdsPerReply,
  type ScidQueryAnswer,
} from './queries.js';
export { QueryGuard } from './query-guard.js';
export { type RateLimit, RateLimiter } from './rate-limit.js';
export {
  passesFilter,
  queueDeltas,
  type RebroadcastDeps,
  type RebroadcastOptions,
  RebroadcastScheduler,
  type TimestampFilter,
} from './rebroadcast.js';
export { type QueuedGossip, RebroadcastQueue } from './rebroadcast-queue.js';
export { GraphReplica, type ReplicaApply } from './replica.js';
export {
  type AnnouncementParts,
  type ChannelAnnouncementKeys,
  channelAnnouncementDigest,
  channelUpdateDigest,
  completeChannelAnnouncement,
  nextAnnouncementTimestamp,
  nodeAnnouncementDigest,
  type Signed,
  signChannelAnnouncement,
  signChannelUpdate,
  signNodeAnnouncement,
} from './sign.js';
export {
  buildQueryChannelRange,
  buildScidQueries,
  ChannelRangeCollector,
  maxIdsPerQuery,
  type ScidWant,
  scidsToQuery,
} from './sync.js';
export { type GossipSyncOptions, type GossipSyncProgress, GossipSyncSession } from './sync-session.js';
export {
  type ChannelRemovalReason,
  type Clock,
  type FundingOutput,
  type FundingOutputLookup,
  type GossipLogger,
  type GraphDelta,
  type GraphPersistence,
  systemClock,
} from './types.js';
export {
  type ValidationContext,
  validateChannelAnnouncement,
  validateChannelUpdate,
  validateNodeAnnouncement,
} from './validate.js';
export { isPenalised, type RejectReason, type Verdict } from './verdict.js';
