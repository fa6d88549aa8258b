import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type ChannelAnnouncementMessage,
  type ChannelUpdateMessage,
  channelAnnouncementSignedPortion,
  channelUpdateSignedPortion,
  decodeAddresses,
  decodeMessage,
  encodeAddresses,
  encodeMessage,
  type Message,
  type NodeAnnouncementMessage,
  nodeAnnouncementSignedPortion,
  scidFromString,
} from '../src/index.js';
import { hex, throwsWire, toHex } from './helpers.js';

// Source: lightning/bolts bolt07/extended-queries.json, via /work/shared/bolts (read at test time).
const VECTORS = new URL('../../../../../shared/bolts/bolt07/extended-queries.json', import.meta.url);

interface JsonPair {
  [k: string]: number;
}
interface Vector {
  hex: string;
  msg: {
    type: string;
    chainHash: string;
    firstBlockNum?: number;
    numberOfBlocks?: number;
    complete?: number;
    shortChannelIds?: { array: string[]; encoding: string };
    timestamps?: { encoding: string; timestamps: JsonPair[] };
    checksums?: { checksums: JsonPair[] };
    tlvStream?: { records: (string | { array: number[]; encoding: string })[] };
  };
}

const QUERY_OPTION: Record<string, bigint> = { 'WANT_TIMESTAMPS | WANT_CHECKSUMS': 3n };

function usesZlib(v: Vector): boolean {
  return JSON.stringify(v.msg).includes('COMPRESSED_ZLIB');
}

function expected(v: Vector): Message {
  const m = v.msg;
  const chainHash = hex(m.chainHash);
  const scids = (m.shortChannelIds?.array ?? []).map(scidFromString);
  const pairs = (list: JsonPair[], a: string, b: string) =>
    list.map((p) => ({ nodeId1: p[a]!, nodeId2: p[b]! }));
  switch (m.type) {
    case 'QueryChannelRange': {
      const rec = m.tlvStream?.records[0];
      return {
        type: 'query_channel_range',
        chainHash,
        firstBlocknum: m.firstBlockNum!,
        numberOfBlocks: m.numberOfBlocks!,
        tlvs: typeof rec === 'string' ? { queryOption: QUERY_OPTION[rec]!, unknown: [] } : { unknown: [] },
      };
    }
    case 'ReplyChannelRange':
      return {
        type: 'reply_channel_range',
        chainHash,
        firstBlocknum: m.firstBlockNum!,
        numberOfBlocks: m.numberOfBlocks!,
        syncComplete: m.complete!,
        shortChannelIds: scids,
        tlvs: {
          ...(m.timestamps ? { timestamps: pairs(m.timestamps.timestamps, 'timestamp1', 'timestamp2') } : {}),
          ...(m.checksums ? { checksums: pairs(m.checksums.checksums, 'checksum1', 'checksum2') } : {}),
          unknown: [],
        },
      };
    case 'QueryShortChannelIds': {
      const rec = m.tlvStream?.records[0];
      return {
        type: 'query_short_channel_ids',
        chainHash,
        shortChannelIds: scids,
        tlvs:
          rec && typeof rec !== 'string'
            ? { queryFlags: rec.array.map(BigInt), unknown: [] }
            : { unknown: [] },
      };
    }
    default:
      throw new Error(`unexpected vector type ${m.type}`);
  }
}

describe('BOLT 7 extended-queries.json vectors', { timeout: 10_000 }, () => {
  const vectors = JSON.parse(readFileSync(VECTORS, 'utf8')) as Vector[];
  it('has both kinds of vector', () => {
    assert.equal(vectors.filter((v) => !usesZlib(v)).length, 5);
    assert.equal(vectors.filter(usesZlib).length, 5);
  });
  vectors.forEach((v, i) => {
    if (usesZlib(v)) {
      it(`#${i} ${v.msg.type} (zlib) is rejected with WIRE_ZLIB_UNSUPPORTED`, () => {
        throwsWire(() => decodeMessage(hex(v.hex)), 'WIRE_ZLIB_UNSUPPORTED');
      });
    } else {
      it(`#${i} ${v.msg.type} (uncompressed) decodes and re-encodes exactly`, () => {
        const m = decodeMessage(hex(v.hex));
        assert.deepEqual(m, expected(v));
        assert.equal(toHex(encodeMessage(m)), v.hex);
      });
    }
  });
  it('rejects an unknown encoding type', () => {
    const qscid = `0105${'00'.repeat(32)}0009 02 0000000000000001`.replace(/ /g, '');
    throwsWire(() => decodeMessage(hex(qscid)), 'WIRE_UNKNOWN_ENCODING');
  });
  it('rejects encoded_short_ids without its encoding byte', () => {
    throwsWire(() => decodeMessage(hex(`0105${'00'.repeat(32)}0000`)), 'WIRE_TRUNCATED');
  });
  it('rejects encoded_short_ids that are not whole ids', () => {
    throwsWire(() => decodeMessage(hex(`0105${'00'.repeat(32)}0004 00 000000`)), 'WIRE_BAD_ARRAY');
  });
});

const SIG = (n: number) => new Uint8Array(64).fill(n);
const POINT = (n: number) => {
  const p = new Uint8Array(33).fill(n);
  p[0] = 2 + (n % 2);
  return p;
};
const CHAIN = new Uint8Array(32).fill(0xcc);

describe('BOLT 7 gossip messages', { timeout: 10_000 }, () => {
  it('channel_announcement round-trips; the signed portion starts after the 4 signatures', () => {
    const m: ChannelAnnouncementMessage = {
      type: 'channel_announcement',
      nodeSignature1: SIG(1),
      nodeSignature2: SIG(2),
      bitcoinSignature1: SIG(3),
      bitcoinSignature2: SIG(4),
      features: hex('0100'),
      chainHash: CHAIN,
      shortChannelId: scidFromString('103x1x0'),
      nodeId1: POINT(5),
      nodeId2: POINT(6),
      bitcoinKey1: POINT(7),
      bitcoinKey2: POINT(8),
      tlvs: { unknown: [{ type: 101n, value: hex('abcd') }] },
    };
    const bytes = encodeMessage(m);
    assert.deepEqual(decodeMessage(bytes), m);
    const signed = channelAnnouncementSignedPortion(bytes);
    assert.equal(toHex(signed.subarray(0, 4)), '00020100');
    assert.equal(signed.length, bytes.length - 2 - 256);
    assert.equal(toHex(signed.subarray(-4)), '6502abcd', 'extension is part of the signed bytes');
  });
  it('channel_update round-trips; the signed portion follows the signature', () => {
    const m: ChannelUpdateMessage = {
      type: 'channel_update',
      signature: SIG(9),
      chainHash: CHAIN,
      shortChannelId: 0x0102030405060708n,
      timestamp: 1700000000,
      messageFlags: 1,
      channelFlags: 3,
      cltvExpiryDelta: 144,
      htlcMinimumMsat: 1000n,
      feeBaseMsat: 1000,
      feeProportionalMillionths: 100,
      htlcMaximumMsat: 0x1d24b2dfac520000n,
      tlvs: { unknown: [] },
    };
    const bytes = encodeMessage(m);
    assert.equal(bytes.length, 2 + 64 + 32 + 8 + 4 + 1 + 1 + 2 + 8 + 4 + 4 + 8);
    assert.deepEqual(decodeMessage(bytes), m);
    assert.deepEqual(channelUpdateSignedPortion(bytes), bytes.subarray(66));
    throwsWire(() => channelUpdateSignedPortion(bytes.subarray(0, 100)), 'WIRE_TRUNCATED');
    throwsWire(() => nodeAnnouncementSignedPortion(bytes), 'WIRE_WRONG_TYPE');
    throwsWire(() => channelAnnouncementSignedPortion(new Uint8Array(0)), 'WIRE_WRONG_TYPE');
  });
  it('node_announcement round-trips every address type and keeps an unknown tail', () => {
    const m: NodeAnnouncementMessage = {
      type: 'node_announcement',
      signature: SIG(1),
      features: hex('080000'),
      timestamp: 42,
      nodeId: POINT(3),
      rgbColor: hex('ff0080'),
      alias: new Uint8Array(32),
      addresses: [
        { type: 'ipv4', addr: hex('c0a80001'), port: 9735 },
        { type: 'ipv6', addr: hex('20010db8000000000000000000000001'), port: 9736 },
        { type: 'torv2', addr: hex('00112233445566778899'), port: 9737 },
        { type: 'torv3', addr: new Uint8Array(35).fill(0x33), port: 9738 },
        { type: 'dns', hostname: 'node.example.com', port: 9739 },
        { type: 'unknown', descriptorType: 42, data: hex('0102030405') },
      ],
      tlvs: { unknown: [] },
    };
    const bytes = encodeMessage(m);
    assert.deepEqual(decodeMessage(bytes), m);
    assert.deepEqual(nodeAnnouncementSignedPortion(bytes), bytes.subarray(66));
  });
  it('parses address descriptors as BOLT 7 lays them out', () => {
    assert.deepEqual(decodeAddresses(hex('01 7f000001 2607 05 09 6c6f63616c686f7374 2607')), [
      { type: 'ipv4', addr: hex('7f000001'), port: 9735 },
      { type: 'dns', hostname: 'localhost', port: 9735 },
    ]);
    assert.deepEqual(decodeAddresses(hex('')), []);
    throwsWire(() => decodeAddresses(hex('01 7f0000')), 'WIRE_BAD_ADDRESS');
    throwsWire(() => decodeAddresses(hex('05 02 ff41 2607')), 'WIRE_BAD_ADDRESS');
    throwsWire(
      () =>
        encodeAddresses([
          { type: 'unknown', descriptorType: 9, data: hex('00') },
          { type: 'ipv4', addr: hex('7f000001'), port: 1 },
        ]),
      'WIRE_BAD_ADDRESS',
    );
  });
});
