export { type ActorContext, type ActorSpec, ActorSystem, type CrashPolicy } from './actors/system.js';
export { ByteReader, ByteWriter } from './codec/bytes.js';
export { decodeRef, encodeRef, formatRef, readRef, sameRef, writeRef } from './codec/ref.js';
export { CodecRegistry, type Message, type MessageType, rawBytesCodec } from './codec/registry.js';
export {
  ClusterError,
  type ClusterErrorCode,
  type ClusterErrorJSON,
  type ClusterErrorMeta,
} from './errors.js';
export { Mediator, type MediatorHost, type SendOptions } from './mediator/mediator.js';
export { ClusterMember } from './member.js';
export { membershipEventType } from './membership/event-type.js';
export { versionMismatch } from './membership/handshake.js';
export type { ClusterDeps, ClusterOptions } from './options.js';
export {
  type ClusterCertificate,
  type ClusterTls,
  generateClusterCertificate,
  KEYSTORE_FILE,
  loadClusterTls,
  tlsPasswordFromEnv,
  writeClusterKeystore,
} from './tls/certificate.js';
export type {
  ActorRef,
  ClusterEvents,
  DeadLetter,
  Logger,
  MemberInfo,
  MemberStatus,
  MembershipEvent,
} from './types.js';
export { silentLogger } from './types.js';
