export { channelUpdateChecksum } from './checksum.js';
export * from './constants.js';
export { crc32c } from './crc32c.js';
export { GossipError, type GossipErrorCode, type GossipErrorJSON, type GossipErrorMeta } from './errors.js';
export { fundingScriptPubKey, fundingWitnessScript, keyLess } from './funding.js';
export { RoutingGraph, updateInfo } from './graph.js';
export type { ChannelInfo, GraphStats, NodeAnnouncementInfo, NodeInfo, UpdateInfo } from './graph-types.js';
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
export { type RateLimit, RateLimiter } from './rate-limit.js';
export {
  type ChannelAnnouncementKeys,
  channelAnnouncementDigest,
  channelUpdateDigest,
  nodeAnnouncementDigest,
  type Signed,
  signChannelAnnouncement,
  signChannelUpdate,
  signNodeAnnouncement,
} from './sign.js';
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
