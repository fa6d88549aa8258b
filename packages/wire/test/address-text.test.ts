import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Address, formatAddress, parseAddress } from '../src/index.js';
import { bytes, rec, u16 } from './arbitraries.js';
import { hex, throwsWire } from './helpers.js';

describe('address text forms', { timeout: 10_000 }, () => {
  it('formats and parses IPv4', () => {
    const a = parseAddress('127.0.0.1:9735');
    assert.deepEqual(a, { type: 'ipv4', addr: hex('7f000001'), port: 9735 });
    assert.equal(formatAddress(a), '127.0.0.1:9735');
    assert.deepEqual(parseAddress('10.0.0.1', 9735), { type: 'ipv4', addr: hex('0a000001'), port: 9735 });
  });
  it('formats IPv6 as RFC 5952 and parses compressed forms', () => {
    const cases: [string, string][] = [
      ['[2001:db8::1]:1', '20010db8000000000000000000000001'],
      ['[::1]:1', '00000000000000000000000000000001'],
      ['[::]:1', '00000000000000000000000000000000'],
      ['[1::]:1', '00010000000000000000000000000000'],
      ['[fe80::1:0:0:1]:1', 'fe800000000000000001000000000001'],
      ['[1:0:2:0:3:0:4:0]:1', '00010000000200000003000000040000'],
    ];
    for (const [text, addr] of cases) {
      const a = parseAddress(text);
      assert.deepEqual(a, { type: 'ipv6', addr: hex(addr), port: 1 }, text);
      assert.equal(formatAddress(a), text);
    }
    assert.deepEqual(parseAddress('[::ffff:1.2.3.4]:5'), {
      type: 'ipv6',
      addr: hex('00000000000000000000ffff01020304'),
      port: 5,
    });
    assert.deepEqual(parseAddress('[2001:DB8:0:0:0:0:0:1]:1').type, 'ipv6');
  });
  it('decodes a real Tor v3 address (version byte 3) and round-trips it', () => {
    const text = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:9735';
    const a = parseAddress(text);
    assert.equal(a.type, 'torv3');
    assert.ok(a.type === 'torv3' && a.addr.length === 35 && a.addr[34] === 3);
    assert.equal(formatAddress(a), text);
  });
  it('parses hostnames as DNS descriptors', () => {
    assert.deepEqual(parseAddress('node.example.com:9735'), {
      type: 'dns',
      hostname: 'node.example.com',
      port: 9735,
    });
  });
  it('rejects malformed text', () => {
    for (const t of [
      '',
      '1.2.3.4',
      '1.2.3.4:65536',
      '1.2.3.4:x',
      '::1:9735',
      '[::1::2]:1',
      '[1:2:3:4:5:6:7:8:9]:1',
      '[1:2]:1',
      'abc.onion:1',
      'bad_host:1',
      'h\u00e9:1',
    ]) {
      throwsWire(() => parseAddress(t), 'WIRE_BAD_ADDRESS');
    }
    assert.equal(formatAddress({ type: 'unknown', descriptorType: 9, data: new Uint8Array(0) }), undefined);
  });
  it('round-trips arbitrary IP and onion descriptors through text', () => {
    const arb: fc.Arbitrary<Address> = fc.oneof(
      rec({ type: fc.constant('ipv4' as const), addr: bytes(4), port: u16 }),
      rec({ type: fc.constant('ipv6' as const), addr: bytes(16), port: u16 }),
      rec({ type: fc.constant('torv2' as const), addr: bytes(10), port: u16 }),
      rec({ type: fc.constant('torv3' as const), addr: bytes(35), port: u16 }),
    );
    fc.assert(
      fc.property(arb, (a) => {
        assert.deepEqual(parseAddress(formatAddress(a)!), a);
      }),
      { numRuns: 300 },
    );
  });
});
