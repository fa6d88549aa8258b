import { type Address, decodeAddress, encodeAddress } from '../address.js';
import { WireError } from '../errors.js';
import { Features } from '../features.js';
import type { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';
import { decodeTlvStream, type Extension, encodeTlvStream, type TlvStream, tlvField } from '../tlv.js';
import { messageCodec, readExtension, writeExtension } from './codec.js';

/** BOLT 1 `init_tlvs`. */
export const INIT_TLVS = {
  /** type 1 `networks`: `...*chain_hash`. */
  networks: tlvField<Uint8Array[]>(
    1n,
    (r) => {
      if (r.remaining % 32 !== 0) {
        throw new WireError('WIRE_BAD_ARRAY', 'networks is not a whole number of chain_hash', {
          length: r.remaining,
        });
      }
      const chains: Uint8Array[] = [];
      while (r.remaining > 0) chains.push(r.bytes32('chain_hash'));
      return chains;
    },
    (w, chains) => {
      for (const c of chains) w.bytes32(c, 'chain_hash');
    },
  ),
  /** type 3 `remote_addr`: one BOLT 7 address descriptor. */
  remoteAddr: tlvField<Address>(3n, decodeAddress, encodeAddress),
};

/** BOLT 1 `init` (type 16). `globalFeatures` and `features` are kept raw; see {@link initFeatures}. */
export interface InitMessage {
  type: 'init';
  globalFeatures: Uint8Array;
  features: Uint8Array;
  tlvs: TlvStream<typeof INIT_TLVS>;
}

/** BOLT 1 `init`: the receiver MUST combine (bitwise OR) the two feature bitmaps. */
export function initFeatures(m: InitMessage): Features {
  return Features.fromBytes(m.globalFeatures).or(Features.fromBytes(m.features));
}

/** BOLT 1 `init` (type 16). */
export const initCodec = messageCodec<InitMessage>(
  16,
  'init',
  (w, m) => {
    w.varBytes(m.globalFeatures, 'globalfeatures').varBytes(m.features, 'features');
    encodeTlvStream(INIT_TLVS, w, m.tlvs);
  },
  (r) => ({
    type: 'init',
    globalFeatures: r.varBytes('globalfeatures'),
    features: r.varBytes('features'),
    tlvs: decodeTlvStream(INIT_TLVS, r),
  }),
);

/** BOLT 1 `error` (type 17) and `warning` (type 1). */
export interface ErrorMessage {
  type: 'error';
  channelId: Uint8Array;
  data: Uint8Array;
  tlvs: Extension;
}

/** BOLT 1 `warning` (type 1). */
export interface WarningMessage {
  type: 'warning';
  channelId: Uint8Array;
  data: Uint8Array;
  tlvs: Extension;
}

function readChannelText<T extends 'error' | 'warning'>(type: T, r: Reader) {
  return { type, channelId: r.bytes32('channel_id'), data: r.varBytes('data'), tlvs: readExtension(r) };
}

function writeChannelText(w: Writer, m: ErrorMessage | WarningMessage): void {
  w.bytes32(m.channelId, 'channel_id').varBytes(m.data, 'data');
  writeExtension(w, m.tlvs);
}

/** BOLT 1 `error` (type 17). */
export const errorCodec = messageCodec<ErrorMessage>(17, 'error', writeChannelText, (r) =>
  readChannelText('error', r),
);

/** BOLT 1 `warning` (type 1). */
export const warningCodec = messageCodec<WarningMessage>(1, 'warning', writeChannelText, (r) =>
  readChannelText('warning', r),
);

/** BOLT 1 `ping` (type 18). */
export interface PingMessage {
  type: 'ping';
  numPongBytes: number;
  ignored: Uint8Array;
  tlvs: Extension;
}

/** BOLT 1: a `ping` with `num_pong_bytes` of 65532 or more MUST be ignored (no `pong`). */
export const PING_NO_PONG_THRESHOLD = 65532;

/** BOLT 1 `ping` receiving rule: whether a `pong` must be sent, and with how many bytes. */
export function pongLengthFor(ping: PingMessage): number | undefined {
  return ping.numPongBytes < PING_NO_PONG_THRESHOLD ? ping.numPongBytes : undefined;
}

/** BOLT 1 `ping` (type 18). */
export const pingCodec = messageCodec<PingMessage>(
  18,
  'ping',
  (w, m) => {
    w.u16(m.numPongBytes, 'num_pong_bytes').varBytes(m.ignored, 'ignored');
    writeExtension(w, m.tlvs);
  },
  (r) => ({
    type: 'ping',
    numPongBytes: r.u16('num_pong_bytes'),
    ignored: r.varBytes('ignored'),
    tlvs: readExtension(r),
  }),
);

/** BOLT 1 `pong` (type 19). */
export interface PongMessage {
  type: 'pong';
  ignored: Uint8Array;
  tlvs: Extension;
}

/** BOLT 1 `pong` (type 19). */
export const pongCodec = messageCodec<PongMessage>(
  19,
  'pong',
  (w, m) => {
    w.varBytes(m.ignored, 'ignored');
    writeExtension(w, m.tlvs);
  },
  (r) => ({ type: 'pong', ignored: r.varBytes('ignored'), tlvs: readExtension(r) }),
);

/** BOLT 1 `peer_storage` (type 7). */
export interface PeerStorageMessage {
  type: 'peer_storage';
  blob: Uint8Array;
  tlvs: Extension;
}

/** BOLT 1 `peer_storage_retrieval` (type 9). */
export interface PeerStorageRetrievalMessage {
  type: 'peer_storage_retrieval';
  blob: Uint8Array;
  tlvs: Extension;
}

function writeBlob(w: Writer, m: PeerStorageMessage | PeerStorageRetrievalMessage): void {
  w.varBytes(m.blob, 'blob');
  writeExtension(w, m.tlvs);
}

/** BOLT 1 `peer_storage` (type 7). */
export const peerStorageCodec = messageCodec<PeerStorageMessage>(7, 'peer_storage', writeBlob, (r) => ({
  type: 'peer_storage',
  blob: r.varBytes('blob'),
  tlvs: readExtension(r),
}));

/** BOLT 1 `peer_storage_retrieval` (type 9). */
export const peerStorageRetrievalCodec = messageCodec<PeerStorageRetrievalMessage>(
  9,
  'peer_storage_retrieval',
  writeBlob,
  (r) => ({ type: 'peer_storage_retrieval', blob: r.varBytes('blob'), tlvs: readExtension(r) }),
);
