export { type Address, decodeAddresses, encodeAddresses } from './address.js';
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
  type MessageName,
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
export type { MessageCodec } from './messages/codec.js';
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
