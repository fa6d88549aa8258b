export { type Address, decodeAddresses, encodeAddresses } from './address.js';
export { formatAddress, parseAddress } from './address-text.js';
export { WireError, type WireErrorCode, type WireErrorJSON, type WireErrorMeta } from './errors.js';
export {
  FEATURES,
  type FeatureContext,
  type FeatureInfo,
  type FeatureName,
  type FeatureSupport,
  Features,
  featureName,
} from './features.js';
export {
  CODECS,
  decodeMessage,
  encodeMessage,
  isUnknownMessage,
  type KnownMessage,
  MAX_MESSAGE_SIZE,
  MESSAGE_TYPES,
  type Message,
  type MessageGroup,
  type MessageName,
  messageGroup,
  messageName,
  messageTypeId,
  type UnknownMessage,
  unknownMessageAction,
} from './message.js';
export {
  type ErrorMessage,
  INIT_TLVS,
  type InitMessage,
  initFeatures,
  type PeerStorageMessage,
  type PeerStorageRetrievalMessage,
  PING_NO_PONG_THRESHOLD,
  type PingMessage,
  type PongMessage,
  pongLengthFor,
  type WarningMessage,
} from './messages/bolt1.js';
export {
  CLOSING_SIGNED_TLVS,
  CLOSING_TLVS,
  type ClosingCompleteMessage,
  type ClosingSigMessage,
  type ClosingSignedMessage,
  type FeeRange,
  type ShutdownMessage,
} from './messages/channel-close.js';
export {
  type AcceptChannelMessage,
  CHANNEL_READY_TLVS,
  type ChannelReadyMessage,
  type FundingCreatedMessage,
  type FundingSignedMessage,
  OPEN_CHANNEL_TLVS,
  type OpenChannelMessage,
} from './messages/channel-open.js';
export type { MessageCodec } from './messages/codec.js';
export {
  type AcceptChannel2Message,
  OPENING_TLVS,
  type OpenChannel2Message,
  SPLICE_TLVS,
  type SpliceAckMessage,
  type SpliceInitMessage,
  type SpliceLockedMessage,
} from './messages/dual-fund.js';
export {
  type AnnouncementSignaturesMessage,
  type ChannelAnnouncementMessage,
  type ChannelUpdateMessage,
  channelAnnouncementSignedPortion,
  channelUpdateSignedPortion,
  type NodeAnnouncementMessage,
  nodeAnnouncementSignedPortion,
} from './messages/gossip.js';
export {
  decodeEncodedShortIds,
  ENCODING_UNCOMPRESSED,
  type GossipTimestampFilterMessage,
  type NodePair,
  QUERY_CHANNEL_RANGE_TLVS,
  QUERY_OPTION_WANT_CHECKSUMS,
  QUERY_OPTION_WANT_TIMESTAMPS,
  QUERY_SHORT_CHANNEL_IDS_TLVS,
  type QueryChannelRangeMessage,
  type QueryShortChannelIdsMessage,
  REPLY_CHANNEL_RANGE_TLVS,
  type ReplyChannelRangeMessage,
  type ReplyShortChannelIdsEndMessage,
} from './messages/gossip-queries.js';
export {
  ATTRIBUTION_HMACS_SIZE,
  ATTRIBUTION_HOLD_TIMES,
  ATTRIBUTION_TLVS,
  type AttributionData,
  COMMITMENT_SIGNED_TLVS,
  type CommitmentSignedMessage,
  ONION_PACKET_SIZE,
  type RevokeAndAckMessage,
  START_BATCH_TLVS,
  type StartBatchMessage,
  UPDATE_ADD_HTLC_TLVS,
  type UpdateAddHtlcMessage,
  type UpdateFailHtlcMessage,
  type UpdateFailMalformedHtlcMessage,
  type UpdateFeeMessage,
  type UpdateFulfillHtlcMessage,
} from './messages/htlc.js';
export {
  RBF_TLVS,
  TX_ADD_INPUT_TLVS,
  TX_SIGNATURES_TLVS,
  type TxAbortMessage,
  type TxAckRbfMessage,
  type TxAddInputMessage,
  type TxAddOutputMessage,
  type TxCompleteMessage,
  type TxInitRbfMessage,
  type TxRemoveInputMessage,
  type TxRemoveOutputMessage,
  type TxSignaturesMessage,
} from './messages/interactive-tx.js';
export {
  CHANNEL_REESTABLISH_TLVS,
  type ChannelReestablishMessage,
  type FundingRetransmit,
  type StfuMessage,
} from './messages/reestablish.js';
export { bigsizeLength, decodeBigSize, encodeBigSize } from './primitives/bigsize.js';
export { Reader } from './primitives/reader.js';
export {
  type ShortChannelId,
  type ShortChannelIdParts,
  scidFromParts,
  scidFromString,
  scidToParts,
  scidToString,
} from './primitives/scid.js';
export { Writer } from './primitives/writer.js';
export {
  decodeTlvStream,
  type Extension,
  encodeTlvStream,
  readTlvRecords,
  type TlvField,
  type TlvRecord,
  type TlvSchema,
  type TlvStream,
  tlvField,
  writeTlvRecords,
} from './tlv.js';
