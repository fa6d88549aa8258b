import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bigsizeLength,
  decodeBigSize,
  encodeBigSize,
  Reader,
  scidFromParts,
  scidFromString,
  scidToParts,
  scidToString,
  WireError,
  Writer,
} from '../src/index.js';
import { hex, throwsWire, toHex } from './helpers.js';

// BOLT 1 Appendix A: BigSize decoding tests.
const BIGSIZE_DECODE: { name: string; value: bigint; bytes: string; err?: 'eof' | 'canonical' }[] = [
  { name: 'zero', value: 0n, bytes: '00' },
  { name: 'one byte high', value: 252n, bytes: 'fc' },
  { name: 'two byte low', value: 253n, bytes: 'fd00fd' },
  { name: 'two byte high', value: 65535n, bytes: 'fdffff' },
  { name: 'four byte low', value: 65536n, bytes: 'fe00010000' },
  { name: 'four byte high', value: 4294967295n, bytes: 'feffffffff' },
  { name: 'eight byte low', value: 4294967296n, bytes: 'ff0000000100000000' },
  { name: 'eight byte high', value: 18446744073709551615n, bytes: 'ffffffffffffffffff' },
  { name: 'two byte not canonical', value: 0n, bytes: 'fd00fc', err: 'canonical' },
  { name: 'four byte not canonical', value: 0n, bytes: 'fe0000ffff', err: 'canonical' },
  { name: 'eight byte not canonical', value: 0n, bytes: 'ff00000000ffffffff', err: 'canonical' },
  { name: 'two byte short read', value: 0n, bytes: 'fd00', err: 'eof' },
  { name: 'four byte short read', value: 0n, bytes: 'feffff', err: 'eof' },
  { name: 'eight byte short read', value: 0n, bytes: 'ffffffffff', err: 'eof' },
  { name: 'one byte no read', value: 0n, bytes: '', err: 'eof' },
  { name: 'two byte no read', value: 0n, bytes: 'fd', err: 'eof' },
  { name: 'four byte no read', value: 0n, bytes: 'fe', err: 'eof' },
  { name: 'eight byte no read', value: 0n, bytes: 'ff', err: 'eof' },
];

// BOLT 1 Appendix D: signed integers, each in the smallest type that holds it.
const SIGNED: [bigint, string][] = [
  [0n, '00'],
  [42n, '2a'],
  [-42n, 'd6'],
  [127n, '7f'],
  [-128n, '80'],
  [128n, '0080'],
  [-129n, 'ff7f'],
  [15000n, '3a98'],
  [-15000n, 'c568'],
  [32767n, '7fff'],
  [-32768n, '8000'],
  [32768n, '00008000'],
  [-32769n, 'ffff7fff'],
  [21000000n, '01406f40'],
  [-21000000n, 'febf90c0'],
  [2147483647n, '7fffffff'],
  [-2147483648n, '80000000'],
  [2147483648n, '0000000080000000'],
  [-2147483649n, 'ffffffff7fffffff'],
  [500000000000n, '000000746a528800'],
  [-500000000000n, 'ffffff8b95ad7800'],
  [9223372036854775807n, '7fffffffffffffff'],
  [-9223372036854775808n, '8000000000000000'],
];

describe('BOLT 1 Appendix A: bigsize', { timeout: 10_000 }, () => {
  for (const v of BIGSIZE_DECODE) {
    it(`decodes: ${v.name}`, () => {
      if (v.err) {
        throwsWire(
          () => decodeBigSize(hex(v.bytes)),
          v.err === 'eof' ? 'WIRE_TRUNCATED' : 'WIRE_BAD_BIGSIZE',
        );
        return;
      }
      assert.deepEqual(decodeBigSize(hex(v.bytes)), { value: v.value, length: v.bytes.length / 2 });
    });
    if (!v.err) {
      it(`encodes: ${v.name}`, () => {
        assert.equal(toHex(encodeBigSize(v.value)), v.bytes);
        assert.equal(bigsizeLength(v.value), v.bytes.length / 2);
      });
    }
  }
  it('refuses to encode values outside u64', () => {
    throwsWire(() => encodeBigSize(1n << 64n), 'WIRE_OUT_OF_RANGE');
    throwsWire(() => encodeBigSize(-1n), 'WIRE_OUT_OF_RANGE');
    throwsWire(() => new Writer().bigsize(1.5), 'WIRE_OUT_OF_RANGE');
  });
});

describe('BOLT 1 Appendix D: signed integers', { timeout: 10_000 }, () => {
  for (const [value, bytes] of SIGNED) {
    it(`${value} <-> ${bytes}`, () => {
      const w = new Writer();
      const r = new Reader(hex(bytes));
      const n = Number(value);
      if (bytes.length === 2) {
        w.s8(n);
        assert.equal(r.s8(), n);
      } else if (bytes.length === 4) {
        w.s16(n);
        assert.equal(r.s16(), n);
      } else if (bytes.length === 8) {
        w.s32(n);
        assert.equal(r.s32(), n);
      } else {
        w.s64(value);
        assert.equal(r.s64(), value);
      }
      assert.equal(toHex(w.finish()), bytes);
      assert.equal(r.remaining, 0);
    });
  }
  it('rejects values that do not fit', () => {
    throwsWire(() => new Writer().s8(128), 'WIRE_OUT_OF_RANGE');
    throwsWire(() => new Writer().s16(-32769), 'WIRE_OUT_OF_RANGE');
    throwsWire(() => new Writer().s64(1n << 63n), 'WIRE_OUT_OF_RANGE');
  });
});

describe('BOLT 1 fundamental types', { timeout: 10_000 }, () => {
  it('reads and writes unsigned integers big-endian', () => {
    const b = new Writer().u8(1).u16(0x0203).u32(0x04050607).u64(0x08090a0b0c0d0e0fn).finish();
    assert.equal(toHex(b), '0102030405060708090a0b0c0d0e0f');
    const r = new Reader(b);
    assert.deepEqual([r.u8(), r.u16(), r.u32(), r.u64()], [1, 0x0203, 0x04050607, 0x08090a0b0c0d0e0fn]);
  });
  it('bounds-checks every read', () => {
    throwsWire(() => new Reader(hex('01')).u16(), 'WIRE_TRUNCATED');
    throwsWire(() => new Reader(hex('010203')).u32(), 'WIRE_TRUNCATED');
    throwsWire(() => new Reader(hex('00')).bytes(2), 'WIRE_TRUNCATED');
    throwsWire(() => new Reader(hex('0005aabb')).varBytes(), 'WIRE_TRUNCATED');
  });
  it('range-checks every write', () => {
    throwsWire(() => new Writer().u8(256), 'WIRE_OUT_OF_RANGE');
    throwsWire(() => new Writer().u16(-1), 'WIRE_OUT_OF_RANGE');
    throwsWire(() => new Writer().u32(1.5), 'WIRE_OUT_OF_RANGE');
    throwsWire(() => new Writer().u64(1n << 64n), 'WIRE_OUT_OF_RANGE');
    throwsWire(() => new Writer().signature(new Uint8Array(63)), 'WIRE_OUT_OF_RANGE');
    throwsWire(() => new Writer().varBytes(new Uint8Array(65536)), 'WIRE_OUT_OF_RANGE');
  });
  it('encodes truncated integers minimally and rejects leading zeros', () => {
    assert.equal(toHex(new Writer().tu64(0n).finish()), '');
    assert.equal(toHex(new Writer().tu64(256n).finish()), '0100');
    assert.equal(toHex(new Writer().tu32(0x01000000).finish()), '01000000');
    assert.equal(toHex(new Writer().tu16(255).finish()), 'ff');
    assert.equal(new Reader(hex('0100')).tu16(), 256);
    assert.equal(new Reader(hex('')).tu32(), 0);
    throwsWire(() => new Reader(hex('0001')).tu16(), 'WIRE_NON_MINIMAL');
    throwsWire(() => new Reader(hex('0100000000')).tu32(), 'WIRE_TLV_LENGTH');
    throwsWire(() => new Reader(hex('010000000000000000')).tu64(), 'WIRE_TLV_LENGTH');
    throwsWire(() => new Writer().tu16(65536), 'WIRE_OUT_OF_RANGE');
  });
  it('checks point prefixes', () => {
    const p = new Uint8Array(33);
    p[0] = 2;
    assert.deepEqual(new Reader(p).point(), p);
    p[0] = 4;
    throwsWire(() => new Reader(p).point(), 'WIRE_BAD_POINT');
    throwsWire(() => new Writer().point(p), 'WIRE_BAD_POINT');
  });
  it('returns copies, never views of the input', () => {
    const input = Buffer.from('aabbcc', 'hex');
    const out = new Reader(input).bytes(2);
    input[0] = 0;
    assert.equal(out[0], 0xaa);
    assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype);
  });
});

describe('BOLT 7 short_channel_id', { timeout: 10_000 }, () => {
  it('converts parts, bigint and string (BOLT 7 example 539268x845x1)', () => {
    const scid = scidFromString('539268x845x1');
    assert.deepEqual(scidToParts(scid), { block: 539268, txIndex: 845, outputIndex: 1 });
    assert.equal(scid, (539268n << 40n) | (845n << 16n) | 1n);
    assert.equal(scidToString(scid), '539268x845x1');
    assert.equal(scidFromParts({ block: 0, txIndex: 0, outputIndex: 550 }), 0x226n);
    const max = scidFromParts({ block: 0xffffff, txIndex: 0xffffff, outputIndex: 0xffff });
    assert.equal(max, 0xffffffffffffffffn);
  });
  it('rejects malformed strings and out-of-range parts', () => {
    for (const s of ['', '1x2', '1x2x3x4', 'ax1x2', '16777216x0x0', '0x16777216x0', '0x0x65536', '-1x0x0']) {
      throwsWire(() => scidFromString(s), 'WIRE_BAD_SCID');
    }
    throwsWire(() => scidFromParts({ block: 1.5, txIndex: 0, outputIndex: 0 }), 'WIRE_BAD_SCID');
  });
});

describe('WireError', { timeout: 10_000 }, () => {
  it('serialises to JSON and back', () => {
    const e = throwsWire(() => new Reader(hex('fd')).bigsize(), 'WIRE_TRUNCATED');
    const json = JSON.parse(JSON.stringify(e));
    assert.equal(json.name, 'WireError');
    assert.equal(json.code, 'WIRE_TRUNCATED');
    const back = WireError.fromJSON(json);
    assert.ok(back instanceof WireError);
    assert.deepEqual(back.toJSON(), e.toJSON());
  });
});
