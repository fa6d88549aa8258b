import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeMessage,
  encodeMessage,
  Features,
  type InitMessage,
  initFeatures,
  isUnknownMessage,
  MESSAGE_TYPES,
  messageGroup,
  messageName,
  type PingMessage,
  pongLengthFor,
  unknownMessageAction,
} from '../src/index.js';
import { hex, throwsWire, toHex } from './helpers.js';

const REGTEST = hex('06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f');

describe('BOLT 1 Appendix C: message extension', { timeout: 10_000 }, () => {
  it('accepts init without an extension', () => {
    const m = decodeMessage(hex('001000000000'));
    assert.deepEqual(m, {
      type: 'init',
      globalFeatures: new Uint8Array(0),
      features: new Uint8Array(0),
      tlvs: { unknown: [] },
    });
  });
  it('accepts and keeps two unknown odd records, re-emitting them', () => {
    const bytes = hex('001000000000c9012acb0104');
    const m = decodeMessage(bytes);
    assert.ok(!isUnknownMessage(m) && m.type === 'init');
    assert.deepEqual(m.tlvs.unknown, [
      { type: 0xc9n, value: hex('2a') },
      { type: 0xcbn, value: hex('04') },
    ]);
    assert.equal(toHex(encodeMessage(m)), toHex(bytes));
  });
  it('rejects a truncated extension', () => {
    throwsWire(() => decodeMessage(hex('00100000000001')), 'WIRE_TRUNCATED');
  });
  it('rejects an unknown even record', () => {
    throwsWire(() => decodeMessage(hex('001000000000ca012a')), 'WIRE_UNKNOWN_EVEN_TLV');
  });
  it('rejects a duplicate record', () => {
    throwsWire(() => decodeMessage(hex('001000000000c90101c90102')), 'WIRE_TLV_ORDER');
  });
});

describe('BOLT 1 init', { timeout: 10_000 }, () => {
  it('round-trips networks and remote_addr', () => {
    const m: InitMessage = {
      type: 'init',
      globalFeatures: hex('02'),
      features: hex('0a8a'),
      tlvs: {
        networks: [REGTEST],
        remoteAddr: { type: 'ipv4', addr: hex('7f000001'), port: 9735 },
        unknown: [{ type: 5n, value: hex('ff') }],
      },
    };
    const bytes = encodeMessage(m);
    assert.equal(
      toHex(bytes),
      `0010 0001 02 0002 0a8a 01 20 ${toHex(REGTEST)} 03 07 01 7f000001 2607 05 01 ff`.replace(/ /g, ''),
    );
    assert.deepEqual(decodeMessage(bytes), m);
  });
  it('rejects networks that are not whole chain hashes', () => {
    throwsWire(() => decodeMessage(hex('001000000000 01 03 aabbcc')), 'WIRE_BAD_ARRAY');
  });
  it('rejects a truncated remote_addr descriptor', () => {
    throwsWire(() => decodeMessage(hex('001000000000 03 03 01 7f00')), 'WIRE_BAD_ADDRESS');
  });
  it('merges globalfeatures into features (bitwise OR)', () => {
    const m = decodeMessage(hex('0010 0001 22 0002 0200')) as InitMessage;
    const f = initFeatures(m);
    assert.deepEqual(f.bits(), [1, 5, 9]);
    assert.equal(f.support('var_onion_optin'), 'optional');
    assert.equal(f.support('option_data_loss_protect'), 'optional');
    assert.equal(f.support('option_upfront_shutdown_script'), 'optional');
  });
});

describe('BOLT 1 error, warning, ping, pong', { timeout: 10_000 }, () => {
  it('round-trips error and warning', () => {
    const channelId = new Uint8Array(32).fill(7);
    for (const type of ['error', 'warning'] as const) {
      const m = { type, channelId, data: new TextEncoder().encode('bad'), tlvs: { unknown: [] } };
      const bytes = encodeMessage(m);
      assert.equal(toHex(bytes.subarray(0, 2)), type === 'error' ? '0011' : '0001');
      assert.deepEqual(decodeMessage(bytes), m);
    }
  });
  it('answers ping with num_pong_bytes, and never at 65532 or above', () => {
    const ping = (n: number): PingMessage => ({
      type: 'ping',
      numPongBytes: n,
      ignored: new Uint8Array(4),
      tlvs: { unknown: [] },
    });
    assert.equal(pongLengthFor(ping(0)), 0);
    assert.equal(pongLengthFor(ping(65531)), 65531);
    assert.equal(pongLengthFor(ping(65532)), undefined);
    assert.equal(pongLengthFor(ping(65535)), undefined);
    const bytes = encodeMessage(ping(10));
    assert.equal(toHex(bytes), '0012000a000400000000');
    assert.deepEqual(decodeMessage(bytes), ping(10));
    assert.deepEqual(decodeMessage(hex('00130002aaaa')), {
      type: 'pong',
      ignored: hex('aaaa'),
      tlvs: { unknown: [] },
    });
  });
  it('rejects a ping whose ignored bytes are truncated', () => {
    throwsWire(() => decodeMessage(hex('0012000a0004000000')), 'WIRE_TRUNCATED');
  });
});

describe('BOLT 1 message envelope', { timeout: 10_000 }, () => {
  it('returns unknown types with their payload; odd = ignore, even = close', () => {
    const odd = decodeMessage(hex('8001deadbeef'));
    assert.deepEqual(odd, { type: 0x8001, unknown: true, payload: hex('deadbeef') });
    assert.equal(unknownMessageAction(0x8001), 'ignore');
    const even = decodeMessage(hex('8000'));
    assert.deepEqual(even, { type: 0x8000, unknown: true, payload: new Uint8Array(0) });
    assert.equal(unknownMessageAction(0x8000), 'close');
    assert.equal(unknownMessageAction(MESSAGE_TYPES.init + 100), 'close');
    assert.equal(toHex(encodeMessage(odd)), '8001deadbeef');
  });
  it('names types and sorts them into the BOLT 1 groups', () => {
    assert.equal(messageName(16), 'init');
    assert.equal(messageName(258), 'channel_update');
    assert.equal(messageName(0x8001), undefined);
    assert.deepEqual([0, 31, 32, 127, 128, 255, 256, 511, 512, 32767, 32768, 65535].map(messageGroup), [
      'setup',
      'setup',
      'channel',
      'channel',
      'commitment',
      'commitment',
      'routing',
      'routing',
      'unassigned',
      'unassigned',
      'custom',
      'custom',
    ]);
  });
  it('rejects messages without a type or above 65535 bytes', () => {
    throwsWire(() => decodeMessage(hex('00')), 'WIRE_BAD_MESSAGE');
    throwsWire(() => decodeMessage(new Uint8Array(65536)), 'WIRE_BAD_MESSAGE');
    throwsWire(
      () => encodeMessage({ type: 'pong', ignored: new Uint8Array(65534), tlvs: { unknown: [] } }),
      'WIRE_BAD_MESSAGE',
    );
  });
});

describe('BOLT 9 features', { timeout: 10_000 }, () => {
  it('encodes minimally, bit 0 in the last byte', () => {
    assert.equal(toHex(Features.fromBits([0, 9]).toBytes()), '0201');
    assert.equal(toHex(Features.fromBits([]).toBytes()), '');
    assert.deepEqual(Features.fromBytes(hex('000201')).bits(), [0, 9]);
    assert.equal(
      toHex(Features.of({ basic_mpp: 'optional', payment_secret: 'compulsory' }).toBytes()),
      '024000',
    );
  });
  it('fromBits accepts only bits a 65535-byte field can hold', () => {
    assert.equal(Features.fromBits([65535 * 8 - 1]).toBytes().length, 65535);
    throwsWire(() => Features.fromBits([65535 * 8]), 'WIRE_OUT_OF_RANGE');
  });
  it('tells compulsory from optional; both bits count as compulsory', () => {
    const f = Features.fromBits([14, 15, 17]);
    assert.equal(f.support('payment_secret'), 'compulsory');
    assert.equal(f.support('basic_mpp'), 'optional');
    assert.ok(f.requires('payment_secret') && !f.requires('basic_mpp'));
    assert.equal(f.support('option_anchors'), undefined);
    assert.deepEqual(f.bothBitsSet(), ['payment_secret']);
  });
  it('detects unknown compulsory and optional bits', () => {
    const f = Features.fromBits([2, 3, 17, 100, 101, 201]);
    assert.deepEqual(f.unknownCompulsoryBits(), [2, 100]);
    assert.deepEqual(f.unknownOptionalBits(), [3, 101, 201]);
  });
  it('checks the dependency table', () => {
    assert.deepEqual(Features.of({ basic_mpp: 'optional' }).missingDependencies(), [
      { feature: 'basic_mpp', missing: 'payment_secret' },
    ]);
    assert.deepEqual(
      Features.of({ basic_mpp: 'optional', payment_secret: 'optional' }).missingDependencies(),
      [],
    );
    assert.deepEqual(Features.of({ option_zeroconf: 'optional' }).missingDependencies(), [
      { feature: 'option_zeroconf', missing: 'option_scid_alias' },
    ]);
    assert.deepEqual(Features.of({ option_simple_close: 'compulsory' }).missingDependencies(), [
      { feature: 'option_simple_close', missing: 'option_shutdown_anysegwit' },
    ]);
  });
  it('flags features outside their context', () => {
    const f = Features.of({
      option_payment_metadata: 'optional',
      basic_mpp: 'optional',
      var_onion_optin: 'compulsory',
    });
    assert.deepEqual(f.outsideContext('I'), ['option_payment_metadata']);
    assert.deepEqual(f.outsideContext('C'), ['basic_mpp', 'option_payment_metadata']);
  });
});
