import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import nlWire from '@node-lightning/wire';
import fc from 'fast-check';
import { decodeMessage, encodeMessage, Features, type KnownMessage, type MessageName } from '../src/index.js';
import { addresses } from './arbitraries.js';
import { MESSAGE_ARBITRARIES } from './message-arbitraries.js';

// Cross-check against an independent implementation (@node-lightning/wire 0.26.1, a root dev
// dependency): it must parse our encoding and serialise it back to the same bytes. Arbitraries are
// narrowed where node-lightning normalises or lacks a feature (noted per message), never ours.
const { MessageFactory } = nlWire;

/** node-lightning's gossip-query messages take an encoding argument and default to zlib. */
interface Reserialisable {
  serialize(encoding?: number): Buffer;
}

const noTlvs = <M extends KnownMessage>(arb: fc.Arbitrary<M>): fc.Arbitrary<M> =>
  arb.map((m) => ({ ...m, tlvs: { unknown: [] } }));

/** node-lightning re-serialises feature fields at their minimal length. */
const minimal = (f: Uint8Array): Uint8Array => Features.fromBytes(f).toBytes();

const CASES: { [K in MessageName]?: fc.Arbitrary<KnownMessage> } = {
  ping: noTlvs(MESSAGE_ARBITRARIES.ping),
  pong: noTlvs(MESSAGE_ARBITRARIES.pong),
  // node-lightning merges globalfeatures into features when it re-serialises.
  init: noTlvs(MESSAGE_ARBITRARIES.init).map((m) => ({
    ...m,
    globalFeatures: new Uint8Array(0),
    features: minimal(m.features),
  })),
  // node-lightning keeps only the announce_channel bit of channel_flags.
  open_channel: noTlvs(MESSAGE_ARBITRARIES.open_channel).map((m) => ({
    ...m,
    channelFlags: m.channelFlags & 1,
  })),
  accept_channel: noTlvs(MESSAGE_ARBITRARIES.accept_channel),
  shutdown: noTlvs(MESSAGE_ARBITRARIES.shutdown),
  channel_announcement: noTlvs(MESSAGE_ARBITRARIES.channel_announcement).map((m) => ({
    ...m,
    features: minimal(m.features),
  })),
  // node-lightning drops htlc_maximum_msat unless must_be_one is set (the spec now requires it).
  channel_update: noTlvs(MESSAGE_ARBITRARIES.channel_update).map((m) => ({
    ...m,
    messageFlags: m.messageFlags | 1,
  })),
  // node-lightning parses only IPv4, IPv6, Tor v2 and Tor v3 descriptors (no DNS, no unknown types).
  node_announcement: fc.tuple(noTlvs(MESSAGE_ARBITRARIES.node_announcement), addresses).map(([m, a]) => ({
    ...m,
    features: minimal(m.features),
    addresses: a.filter((x) => x.type !== 'unknown' && x.type !== 'dns'),
  })),
  query_short_channel_ids: noTlvs(MESSAGE_ARBITRARIES.query_short_channel_ids),
  query_channel_range: noTlvs(MESSAGE_ARBITRARIES.query_channel_range),
  // node-lightning reads these single bytes as booleans.
  reply_channel_range: noTlvs(MESSAGE_ARBITRARIES.reply_channel_range).map((m) => ({
    ...m,
    syncComplete: m.syncComplete & 1,
  })),
  reply_short_channel_ids_end: noTlvs(MESSAGE_ARBITRARIES.reply_short_channel_ids_end).map((m) => ({
    ...m,
    fullInformation: m.fullInformation & 1,
  })),
  gossip_timestamp_filter: noTlvs(MESSAGE_ARBITRARIES.gossip_timestamp_filter),
};

describe('interop with @node-lightning/wire', { timeout: 30_000 }, () => {
  for (const [name, arb] of Object.entries(CASES)) {
    it(`${name}: node-lightning parses our bytes and re-serialises them identically`, () => {
      fc.assert(
        fc.property(arb, (m) => {
          const bytes = Buffer.from(encodeMessage(m));
          const theirs = MessageFactory.deserialize(bytes) as unknown as Reserialisable;
          const back = theirs.serialize(0);
          assert.equal(back.toString('hex'), bytes.toString('hex'));
          assert.deepEqual(decodeMessage(back), m);
        }),
        { numRuns: 60 },
      );
    });
  }
});
