import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTlvStream, encodeTlvStream, Reader, tlvField, Writer } from '../src/index.js';
import { hex, throwsWire, toHex } from './helpers.js';

// BOLT 1 Appendix B: the n1 and n2 namespaces.
const N1 = {
  tlv1: tlvField(
    1n,
    (r) => r.tu64('amount_msat'),
    (w, v: bigint) => w.tu64(v),
  ),
  tlv2: tlvField(
    2n,
    (r) => r.shortChannelId('scid'),
    (w, v: bigint) => w.shortChannelId(v),
  ),
  tlv3: tlvField(
    3n,
    (r) => ({ nodeId: r.point('node_id'), amountMsat1: r.u64(), amountMsat2: r.u64() }),
    (w, v: { nodeId: Uint8Array; amountMsat1: bigint; amountMsat2: bigint }) =>
      w.point(v.nodeId).u64(v.amountMsat1).u64(v.amountMsat2),
  ),
  tlv4: tlvField(
    254n,
    (r) => r.u16('cltv_delta'),
    (w, v: number) => w.u16(v),
  ),
};
const N2 = {
  tlv1: tlvField(
    0n,
    (r) => r.tu64('amount_msat'),
    (w, v: bigint) => w.tu64(v),
  ),
  tlv2: tlvField(
    11n,
    (r) => r.tu32('cltv_expiry'),
    (w, v: number) => w.tu32(v),
  ),
};

const n1 = (s: string) => decodeTlvStream(N1, new Reader(hex(s)));
const n2 = (s: string) => decodeTlvStream(N2, new Reader(hex(s)));

const FAIL_ANY = [
  '0xfd',
  '0xfd01',
  '0xfd0001 00',
  '0xfd0101',
  '0x0f fd',
  '0x0f fd26',
  '0x0f fd2602',
  '0x0f fd0001 00',
  `0x0f fd0201 ${'00'.repeat(512)}`,
];
const FAIL_EITHER = ['0x12 00', '0xfd0102 00', '0xfe01000002 00', '0xff0100000000000002 00'];
const FAIL_N1 = [
  '0x01 09 ffffffffffffffffff',
  '0x01 01 00',
  '0x01 02 0001',
  '0x01 03 000100',
  '0x01 04 00010000',
  '0x01 05 0001000000',
  '0x01 06 000100000000',
  '0x01 07 00010000000000',
  '0x01 08 0001000000000000',
  '0x02 07 01010101010101',
  '0x02 09 010101010101010101',
  '0x03 21 023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb',
  '0x03 29 023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb0000000000000001',
  '0x03 30 023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb000000000000000100000000000001',
  '0x03 31 043da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb00000000000000010000000000000002',
  '0x03 32 023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb0000000000000001000000000000000001',
  '0xfd00fe 00',
  '0xfd00fe 01 01',
  '0xfd00fe 03 010101',
  '0x00 00',
];
const IGNORED_EITHER = [
  '0x',
  '0x21 00',
  '0xfd0201 00',
  '0xfd00fd 00',
  '0xfd00ff 00',
  '0xfe02000001 00',
  '0xff0200000000000001 00',
];
const NODE = hex('023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb');
const SUCCESS_N1: [string, object][] = [
  ['0x01 00', { tlv1: 0n }],
  ['0x01 01 01', { tlv1: 1n }],
  ['0x01 02 0100', { tlv1: 256n }],
  ['0x01 03 010000', { tlv1: 65536n }],
  ['0x01 04 01000000', { tlv1: 16777216n }],
  ['0x01 05 0100000000', { tlv1: 4294967296n }],
  ['0x01 06 010000000000', { tlv1: 1099511627776n }],
  ['0x01 07 01000000000000', { tlv1: 281474976710656n }],
  ['0x01 08 0100000000000000', { tlv1: 72057594037927936n }],
  ['0x02 08 0000000000000226', { tlv2: 0x226n }],
  [
    '0x03 31 023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb00000000000000010000000000000002',
    { tlv3: { nodeId: NODE, amountMsat1: 1n, amountMsat2: 2n } },
  ],
  ['0xfd00fe 02 0226', { tlv4: 550 }],
];
const FAIL_STREAM_N1 = [
  '0x02 08 0000000000000226 01 01 2a',
  '0x02 08 0000000000000231 02 08 0000000000000451',
  '0x1f 00 0f 01 2a',
  '0x1f 00 1f 01 2a',
];

describe('BOLT 1 Appendix B: TLV decoding failures', { timeout: 10_000 }, () => {
  for (const s of FAIL_ANY) {
    it(`any namespace rejects ${s.slice(0, 24)}`, () => {
      const e1 = throwsWire(() => n1(s));
      const e2 = throwsWire(() => n2(s));
      assert.ok(['WIRE_TRUNCATED', 'WIRE_BAD_BIGSIZE'].includes(e1.code), e1.code);
      assert.equal(e2.code, e1.code);
    });
  }
  for (const s of FAIL_EITHER) {
    it(`either namespace rejects unknown even ${s}`, () => {
      throwsWire(() => n1(s), 'WIRE_UNKNOWN_EVEN_TLV');
      throwsWire(() => n2(s), 'WIRE_UNKNOWN_EVEN_TLV');
    });
  }
  for (const s of FAIL_N1) {
    it(`n1 rejects ${s.slice(0, 30)}`, () => {
      const e = throwsWire(() => n1(s));
      assert.ok(
        ['WIRE_TLV_LENGTH', 'WIRE_NON_MINIMAL', 'WIRE_BAD_POINT', 'WIRE_UNKNOWN_EVEN_TLV'].includes(e.code),
        e.code,
      );
    });
  }
  it('n1 gives the precise reasons', () => {
    throwsWire(() => n1('0x01 01 00'), 'WIRE_NON_MINIMAL');
    throwsWire(() => n1('0x01 09 ffffffffffffffffff'), 'WIRE_TLV_LENGTH');
    throwsWire(() => n1('0x02 07 01010101010101'), 'WIRE_TLV_LENGTH');
    throwsWire(() => n1('0x02 09 010101010101010101'), 'WIRE_TLV_LENGTH');
    throwsWire(() => n1(FAIL_N1[14]!), 'WIRE_BAD_POINT');
    throwsWire(() => n1('0x00 00'), 'WIRE_UNKNOWN_EVEN_TLV');
  });
});

describe('BOLT 1 Appendix B: TLV decoding successes', { timeout: 10_000 }, () => {
  for (const s of IGNORED_EITHER) {
    it(`either namespace accepts and keeps unknown odd ${s}`, () => {
      for (const decode of [n1, n2]) {
        const out = decode(s);
        assert.deepEqual(Object.keys(out), ['unknown']);
        const w = new Writer();
        encodeTlvStream(N1, w, { unknown: out.unknown });
        assert.equal(
          toHex(w.finish()),
          s.replace(/^0x/, '').replace(/\s+/g, ''),
          'unknown odd TLVs round-trip',
        );
      }
    });
  }
  for (const [s, values] of SUCCESS_N1) {
    it(`n1 decodes ${s.slice(0, 30)}`, () => {
      const out = n1(s);
      assert.deepEqual(out, { ...values, unknown: [] });
      const w = new Writer();
      encodeTlvStream(N1, w, out);
      assert.equal(toHex(w.finish()), s.replace(/^0x/, '').replace(/\s+/g, ''));
    });
  }
  it('n2 decodes its own records', () => {
    assert.deepEqual(n2('0x00 01 01 0b 02 0100'), { tlv1: 1n, tlv2: 256, unknown: [] });
  });
});

describe('BOLT 1 Appendix B: TLV stream decoding failures', { timeout: 10_000 }, () => {
  for (const s of FAIL_STREAM_N1) {
    it(`n1 rejects ${s}`, () => {
      throwsWire(() => n1(s), 'WIRE_TLV_ORDER');
    });
  }
  it('n2 rejects 0xffffffffffffffffff 00 00 00 (ordering)', () => {
    throwsWire(() => n2('0xffffffffffffffffff 00 00 00'), 'WIRE_TLV_ORDER');
  });
  it('appending an invalid stream to a valid one fails; a higher valid one succeeds', () => {
    for (const [valid] of SUCCESS_N1) {
      for (const bad of [...FAIL_ANY, ...FAIL_EITHER]) throwsWire(() => n1(`${valid} ${bad.slice(2)}`));
    }
    const out = n1('0x01 01 01 02 08 0000000000000226 fd00fe 02 0226 fd0201 00');
    assert.equal(out.tlv1, 1n);
    assert.equal(out.tlv2, 0x226n);
    assert.equal(out.tlv4, 550);
    assert.deepEqual(out.unknown, [{ type: 0x201n, value: new Uint8Array(0) }]);
  });
  it('encoding refuses a kept record that duplicates a known one', () => {
    throwsWire(
      () => encodeTlvStream(N1, new Writer(), { tlv1: 1n, unknown: [{ type: 1n, value: hex('02') }] }),
      'WIRE_TLV_ORDER',
    );
  });
});
