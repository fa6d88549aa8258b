import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ActorRef, ClusterError, CodecRegistry, type MessageType } from '@shoal/cluster';
import type { GraphDelta } from '@shoal/gossip';
import fc from 'fast-check';
import { type FrontProtocol, registerFrontProtocol } from '../src/index.js';

const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) =>
  fc.record(model, { noNullPrototype: true });
const bytes = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b));
const nodeId = bytes(33, 33);
const ref: fc.Arbitrary<ActorRef> = record({
  address: fc.string({ maxLength: 40 }),
  incarnation: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  path: fc.string({ maxLength: 60 }),
});
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const messages = fc.array(bytes(0, 300), { maxLength: 5 });
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const delta: fc.Arbitrary<GraphDelta> = fc.oneof(
  record({
    kind: fc.constant('channel_added' as const),
    scid: u64,
    capacitySat: u64,
    announcement: bytes(2, 300),
  }),
  record({
    kind: fc.constant('channel_updated' as const),
    scid: u64,
    direction: fc.constantFrom(0 as const, 1 as const),
    update: bytes(2, 200),
  }),
  record({ kind: fc.constant('channel_spent' as const), scid: u64, height: u32 }),
  record({
    kind: fc.constant('channel_removed' as const),
    scid: u64,
    reason: fc.constantFrom('spent' as const, 'stale' as const, 'blacklisted' as const),
  }),
  record({ kind: fc.constant('node_added' as const), nodeId }),
  record({ kind: fc.constant('node_removed' as const), nodeId }),
  record({ kind: fc.constant('node_updated' as const), nodeId, announcement: bytes(2, 300) }),
);
const deltas = fc.array(delta, { maxLength: 6 });

const arbitraries: { [K in keyof FrontProtocol]: fc.Arbitrary<unknown> } = {
  peerAuthenticated: record({
    connection: ref,
    nodeId,
    remoteAddress: fc.string({ maxLength: 50 }),
    outgoing: fc.boolean(),
    requestId: u64,
  }),
  initializeConnection: record({
    peer: ref,
    features: bytes(0, 40),
    chainHashes: fc.array(bytes(32, 32), { maxLength: 3 }),
    doSync: fc.boolean(),
  }),
  connectionReady: record({ connection: ref, nodeId, remoteInit: bytes(2, 200) }),
  peerMessage: record({ connection: ref, message: bytes(2, 1000) }),
  sendToPeer: record({ messages }),
  closeConnection: record({ reason: fc.string({ maxLength: 100 }), messages }),
  connectionClosed: record({ connection: ref, nodeId, reason: fc.string({ maxLength: 100 }) }),
  connectionRequest: record({
    requestId: u64,
    nodeId,
    host: fc.string({ maxLength: 60 }),
    port: fc.integer({ min: 0, max: 65535 }),
    replyTo: ref,
  }),
  connectionFailed: record({ requestId: u64, nodeId, reason: fc.string({ maxLength: 100 }) }),
  gossipIn: record({ id: u64, replyTo: ref, signaturesChecked: fc.boolean(), message: bytes(2, 500) }),
  gossipVerdict: record({
    id: u64,
    accepted: fc.boolean(),
    reason: fc.string({ maxLength: 30 }),
    detail: fc.string({ maxLength: 100 }),
  }),
  graphSubscribe: record({ replyTo: ref }),
  graphSnapshot: record({
    snapshotId: u64,
    seq: u64,
    index: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    last: fc.boolean(),
    deltas,
  }),
  graphDeltas: record({ seq: u64, generation: u64, deltas }),
  gossipSyncReport: record({
    nodeId,
    phase: fc.constantFrom('range', 'ids', 'done', 'failed'),
    listed: u32,
    wanted: u32,
    queriesDone: u32,
    queriesTotal: u32,
    incomplete: fc.boolean(),
  }),
  gossipInBatch: record({
    replyTo: ref,
    items: fc.array(
      record({
        id: u64,
        signaturesChecked: fc.boolean(),
        signer: fc.oneof(bytes(0, 0), nodeId),
        message: bytes(2, 500),
      }),
      { maxLength: 5 },
    ),
  }),
  gossipVerdictBatch: record({
    items: fc.array(
      record({
        id: u64,
        accepted: fc.boolean(),
        reason: fc.string({ maxLength: 30 }),
        detail: fc.string({ maxLength: 100 }),
      }),
      { maxLength: 5 },
    ),
  }),
};

describe('front/back protocol codecs', () => {
  const protocol = registerFrontProtocol(new CodecRegistry());
  for (const [name, type] of Object.entries(protocol) as [keyof FrontProtocol, MessageType<unknown>][]) {
    it(`${name}: round trip, and truncations fail with a ClusterError`, () => {
      fc.assert(
        fc.property(arbitraries[name], (value) => {
          const encoded = type.encode(value);
          assert.deepEqual(type.decode(encoded), value);
          for (const cut of [0, 1, encoded.length - 1]) {
            if (cut < 0 || cut >= encoded.length) continue;
            assert.throws(() => type.decode(encoded.subarray(0, cut)), ClusterError);
          }
          assert.throws(() => type.decode(Buffer.concat([encoded, Buffer.from([0])])), ClusterError);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('refuses a node id that is not 33 bytes', () => {
    assert.throws(
      () => protocol.connectionFailed.encode({ requestId: 1n, nodeId: new Uint8Array(32), reason: 'x' }),
      ClusterError,
    );
  });

  it('uses distinct, stable type ids', () => {
    const ids = Object.values(protocol).map((t) => t.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(protocol.peerAuthenticated.id, 0x0100);
  });
});
