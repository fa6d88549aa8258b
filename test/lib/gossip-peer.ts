// BOLT 7 conversations of a TestPeer with a frontend: init with gossip_queries, the timestamp
// filter, query_channel_range and query_short_channel_ids, and collecting gossip by content.
import nlWire from '@node-lightning/wire';
import { decodeMessage, encodeMessage, type Message } from '@shoal/wire';
import { REGTEST_CHAIN_HASH } from './gossip-gen.js';
import type { TestPeer } from './peer.js';

/** BOLT 9 optional bits: `gossip_queries` (7) and `gossip_queries_ex` (11). */
const GOSSIP_QUERIES_OPTIONAL = 7;
const GOSSIP_QUERIES_EX_OPTIONAL = 11;

/** Gossip message types (BOLT 7). */
const GOSSIP_TYPES = new Set(['channel_announcement', 'channel_update', 'node_announcement']);

/**
 * Receives the node's `init` and answers with ours (regtest, `gossip_queries` and
 * `gossip_queries_ex` optional), built with node-lightning's codec. Returns the node's init.
 */
export async function gossipInit(peer: TestPeer): Promise<Extract<Message, { type: 'init' }>> {
  const theirs = await peer.nextOf('init');
  const ours = new nlWire.InitMessage();
  ours.chainHashes = [REGTEST_CHAIN_HASH];
  ours.features.set(GOSSIP_QUERIES_OPTIONAL);
  ours.features.set(GOSSIP_QUERIES_EX_OPTIONAL);
  peer.write(ours.serialize());
  return theirs;
}

/** BOLT 7 `gossip_timestamp_filter` asking for all gossip from `first` on. */
export function sendTimestampFilter(peer: TestPeer, first = 0): void {
  peer.send({
    type: 'gossip_timestamp_filter',
    chainHash: REGTEST_CHAIN_HASH,
    firstTimestamp: first,
    timestampRange: 0xffffffff,
    tlvs: { unknown: [] },
  });
}

/** Hex of a message's wire bytes (type included), the form the graph's messages are compared in. */
export function wireHex(m: Message): string {
  return Buffer.from(encodeMessage(m)).toString('hex');
}

/**
 * Reads messages until `done(seen)` is true, keeping the gossip messages (as wire hex, de-duplicated)
 * and answering pings; fails after `timeoutMs`. Other messages are passed to `other`.
 */
export async function collectGossip(
  peer: TestPeer,
  done: (seen: ReadonlySet<string>) => boolean,
  timeoutMs: number,
  other: (m: Message) => void = () => {},
): Promise<Set<string>> {
  const seen = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  while (!done(seen)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`gossip not complete in ${timeoutMs} ms: ${seen.size} messages seen`);
    const m = await peer.next(left);
    if (GOSSIP_TYPES.has(String(m.type))) seen.add(wireHex(m));
    else if (!answerHousekeeping(peer, m)) other(m);
  }
  return seen;
}

/** What a node answered to one `query_channel_range`. */
export interface RangeAnswer {
  scids: bigint[];
  replies: Extract<Message, { type: 'reply_channel_range' }>[];
}

/**
 * Sends `query_channel_range` for all blocks (timestamps and checksums asked) and reads
 * `reply_channel_range`s until one has `sync_complete`; gossip arriving meanwhile is ignored.
 */
export async function queryChannelRange(peer: TestPeer, timeoutMs = 15_000): Promise<RangeAnswer> {
  peer.send({
    type: 'query_channel_range',
    chainHash: REGTEST_CHAIN_HASH,
    firstBlocknum: 0,
    numberOfBlocks: 0xffffffff,
    tlvs: { queryOption: 3n, unknown: [] },
  });
  const replies: RangeAnswer['replies'] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await nextOf(peer, 'reply_channel_range', deadline);
    replies.push(r);
    if (r.syncComplete === 1) break;
  }
  return { scids: replies.flatMap((r) => r.shortChannelIds), replies };
}

/** What a node answered to one `query_short_channel_ids`. */
export interface IdsAnswer {
  /** Gossip messages in the order received, as wire hex. */
  messages: string[];
  fullInformation: number;
}

/**
 * Sends `query_short_channel_ids` for `scids` (no flags: everything) and reads until
 * `reply_short_channel_ids_end`.
 */
export async function queryShortChannelIds(
  peer: TestPeer,
  scids: readonly bigint[],
  timeoutMs = 15_000,
): Promise<IdsAnswer> {
  peer.send({
    type: 'query_short_channel_ids',
    chainHash: REGTEST_CHAIN_HASH,
    shortChannelIds: [...scids],
    tlvs: { unknown: [] },
  });
  const messages: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await peer.next(Math.max(1, deadline - Date.now()));
    if (m.type === 'reply_short_channel_ids_end') return { messages, fullInformation: m.fullInformation };
    if (GOSSIP_TYPES.has(String(m.type))) messages.push(wireHex(m));
    else answerHousekeeping(peer, m);
  }
}

/**
 * Answers what the node may ask a peer while the test waits for something else: `ping`, and the
 * node's own gossip sync (`query_channel_range` / `query_short_channel_ids`: this peer has no
 * gossip of its own to offer, so empty complete answers). True when `m` was one of those.
 */
export function answerHousekeeping(peer: TestPeer, m: Message): boolean {
  switch (m.type) {
    case 'ping':
      if (m.numPongBytes < 65532)
        peer.send({ type: 'pong', ignored: new Uint8Array(m.numPongBytes), tlvs: { unknown: [] } });
      return true;
    case 'query_channel_range':
      peer.send({
        type: 'reply_channel_range',
        chainHash: m.chainHash,
        firstBlocknum: m.firstBlocknum,
        numberOfBlocks: m.numberOfBlocks,
        syncComplete: 1,
        shortChannelIds: [],
        tlvs: { unknown: [] },
      });
      return true;
    case 'query_short_channel_ids':
      peer.send({
        type: 'reply_short_channel_ids_end',
        chainHash: m.chainHash,
        fullInformation: 1,
        tlvs: { unknown: [] },
      });
      return true;
    case 'gossip_timestamp_filter':
      return true;
    default:
      return false;
  }
}

/** The next message of `type` before `deadline` (ms since the epoch), answering housekeeping. */
export async function nextOf<T extends Message['type']>(
  peer: TestPeer,
  type: T,
  deadline: number,
): Promise<Extract<Message, { type: T }>> {
  for (;;) {
    const m = await peer.next(Math.max(1, deadline - Date.now()));
    if (m.type === type) return m as Extract<Message, { type: T }>;
    answerHousekeeping(peer, m);
  }
}

/**
 * Plays a peer that holds `messages` (wire bytes): answers the node's `query_channel_range` with
 * every announced scid in the range (no timestamps or checksums: BOLT 7 makes them a MAY) and
 * its `query_short_channel_ids` with everything it has for those ids (announcement, updates, the
 * endpoints' node announcements), then `reply_short_channel_ids_end`. Listens on the socket
 * beside the TestPeer's own queue; `queries` counts what the node sent, `stop()` stops answering.
 */
export function serveGraph(
  peer: TestPeer,
  messages: readonly Uint8Array[],
): { queries: Map<string, number>; stop(): void } {
  const byScid = new Map<bigint, Uint8Array[]>();
  const nodeAnns = new Map<string, Uint8Array>();
  const endpoints = new Map<bigint, string[]>();
  for (const raw of messages) {
    const m = decodeMessage(raw);
    if (m.type === 'channel_announcement') {
      byScid.set(m.shortChannelId, [raw, ...(byScid.get(m.shortChannelId) ?? [])]);
      endpoints.set(m.shortChannelId, [hexOf(m.nodeId1), hexOf(m.nodeId2)]);
    } else if (m.type === 'channel_update') {
      byScid.set(m.shortChannelId, [...(byScid.get(m.shortChannelId) ?? []), raw]);
    } else if (m.type === 'node_announcement') nodeAnns.set(hexOf(m.nodeId), raw);
  }
  const queries = new Map<string, number>();
  const onData = (raw: Buffer): void => {
    const m = decodeMessage(raw);
    queries.set(String(m.type), (queries.get(String(m.type)) ?? 0) + 1);
    if (m.type === 'query_channel_range') {
      const end = m.firstBlocknum + m.numberOfBlocks;
      const ids = [...byScid.keys()].filter((s) => {
        const block = Number(s >> 40n);
        return block >= m.firstBlocknum && block < end;
      });
      peer.send({
        type: 'reply_channel_range',
        chainHash: m.chainHash,
        firstBlocknum: m.firstBlocknum,
        numberOfBlocks: m.numberOfBlocks,
        syncComplete: 1,
        shortChannelIds: ids.sort((a, b) => (a < b ? -1 : 1)),
        tlvs: { unknown: [] },
      });
    } else if (m.type === 'query_short_channel_ids') {
      const sentNodes = new Set<string>();
      for (const scid of m.shortChannelIds) {
        for (const raw of byScid.get(scid) ?? []) peer.write(raw);
        for (const id of endpoints.get(scid) ?? []) {
          const ann = nodeAnns.get(id);
          if (ann && !sentNodes.has(id)) peer.write(ann);
          sentNodes.add(id);
        }
      }
      peer.send({
        type: 'reply_short_channel_ids_end',
        chainHash: m.chainHash,
        fullInformation: 1,
        tlvs: { unknown: [] },
      });
    } else if (m.type === 'ping') answerHousekeeping(peer, m);
  };
  const socket = peer.socket;
  if (!socket) throw new Error('serveGraph: the peer is not connected');
  socket.on('data', onData);
  return { queries, stop: () => socket.off('data', onData) };
}

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
