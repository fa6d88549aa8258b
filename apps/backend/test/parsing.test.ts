import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiError,
  multipartBoundary,
  parseAmount,
  parseBoolean,
  parseDurationMs,
  parseForm,
  parseHex,
  parseInteger,
  parseMultipart,
  parseNodeUri,
  toJsonText,
} from '../src/api/index.js';
import { hex, NODE_B } from './helpers.js';

function badParam(name: string): (e: unknown) => boolean {
  return (e) =>
    e instanceof ApiError && e.status === 400 && e.meta.param === name && e.message.includes(`'${name}'`);
}

describe('JSON rendering', () => {
  it('bytes as hex, safe bigints as numbers, larger ones as strings', () => {
    const big = (1n << 53n) + 1n;
    const text = toJsonText({
      a: Buffer.from('0102', 'hex'),
      b: Uint8Array.of(255),
      sub: Uint8Array.of(0xaa, 0xbb, 0xcc).subarray(1, 2),
      msat: 5_000_000_000n,
      max: BigInt(Number.MAX_SAFE_INTEGER),
      big,
      neg: -big,
      list: [1n, 'x'],
    });
    assert.equal(
      text,
      `{"a":"0102","b":"ff","sub":"bb","msat":5000000000,"max":9007199254740991,"big":"9007199254740993","neg":"-9007199254740993","list":[1,"x"]}`,
    );
    assert.equal(toJsonText('connected'), '"connected"');
  });
});

describe('multipart/form-data', () => {
  it('fields, quoted boundary, preamble, epilogue, file parts, CRLF inside values', () => {
    const body = Buffer.from(
      [
        'preamble to ignore',
        '--b0',
        'Content-Disposition: form-data; name="nodeId"',
        '',
        'abc',
        '--b0',
        'Content-Disposition: form-data; name="file"; filename="x.txt"',
        'Content-Type: text/plain',
        '',
        'line1\r\nline2',
        '--b0',
        'Content-Disposition: form-data; name=plain',
        '',
        '',
        '--b0--',
        'epilogue',
      ].join('\r\n'),
    );
    assert.equal(multipartBoundary('multipart/form-data; boundary="b0"'), 'b0');
    assert.deepEqual(parseMultipart(body, 'b0'), [
      ['nodeId', 'abc'],
      ['file', 'line1\r\nline2'],
      ['plain', ''],
    ]);
  });

  it('escaped quotes in names; parts without a name are skipped', () => {
    const body = Buffer.from(
      '--B\r\nContent-Disposition: form-data; name="a\\"b"\r\n\r\n1\r\n--B\r\nContent-Type: text/plain\r\n\r\n2\r\n--B--',
    );
    assert.deepEqual(parseMultipart(body, 'B'), [['a"b', '1']]);
  });

  it('malformed bodies are 400s', () => {
    for (const [body, why] of [
      ['no delimiter at all', /no boundary delimiter/],
      ['--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated', /unterminated part/],
      ['--Bxx', /no CRLF/],
      ['--B\r\nContent-Disposition: form-data; name="a"', /unterminated part headers/],
    ] as const) {
      assert.throws(
        () => parseMultipart(Buffer.from(body), 'B'),
        (e: unknown) => e instanceof ApiError && e.status === 400 && why.test(e.message),
      );
    }
    assert.throws(() => multipartBoundary('multipart/form-data'), /no boundary/);
  });

  it('parseForm: urlencoded decoding, empty bodies, duplicate and too many fields', () => {
    assert.deepEqual(
      [...parseForm('application/x-www-form-urlencoded; charset=utf-8', Buffer.from('a=1+2&b=%C3%A9'))],
      [
        ['a', '1 2'],
        ['b', 'é'],
      ],
    );
    assert.equal(parseForm(undefined, Buffer.alloc(0)).size, 0);
    assert.throws(
      () => parseForm(undefined, Buffer.from('a=1')),
      (e: unknown) => e instanceof ApiError && e.status === 415,
    );
    assert.throws(
      () => parseForm('application/x-www-form-urlencoded', Buffer.from('a=1&a=2')),
      badParam('a'),
    );
    const many = Array.from({ length: 65 }, (_, i) => `f${i}=1`).join('&');
    assert.throws(() => parseForm('application/x-www-form-urlencoded', Buffer.from(many)), /more than 64/);
  });
});

describe('parameter parsers', () => {
  it('node URIs', () => {
    const id = hex(NODE_B);
    assert.deepEqual(parseNodeUri('uri', `${id}@[2001:db8::2]:9737`), {
      nodeId: NODE_B,
      address: {
        type: 'ipv6',
        addr: Uint8Array.from(Buffer.from('20010db8000000000000000000000002', 'hex')),
        port: 9737,
      },
    });
    for (const bad of [
      '',
      '@1.2.3.4',
      `${id}@`,
      `${id}1.2.3.4`,
      `${id}@1.2.3.4:`,
      `${id}@2001:db8::2`,
      `${id}@[2001:db8::2`,
    ]) {
      assert.throws(() => parseNodeUri('uri', bad), badParam('uri'), bad);
    }
  });

  it('integers and amounts', () => {
    assert.equal(parseInteger('n', '-5', -10, 10), -5);
    for (const bad of ['', '1.5', '1e3', ' 1', '0x10', '11', '-11']) {
      assert.throws(() => parseInteger('n', bad, -10, 10), badParam('n'), bad);
    }
    assert.equal(parseAmount('amountMsat', '18446744073709551615'), (1n << 64n) - 1n);
    for (const bad of ['-1', '1.0', '18446744073709551616', '', 'abc']) {
      assert.throws(() => parseAmount('amountMsat', bad), badParam('amountMsat'), bad);
    }
  });

  it('booleans, durations, hex', () => {
    assert.equal(parseBoolean('b', 'TRUE'), true);
    assert.equal(parseBoolean('b', 'off'), false);
    assert.throws(() => parseBoolean('b', 'maybe'), badParam('b'));
    assert.equal(parseDurationMs('t', '30'), 30_000);
    assert.equal(parseDurationMs('t', '5m'), 300_000);
    assert.equal(parseDurationMs('t', '1d'), 86_400_000);
    for (const bad of ['', '-1', '1.5', '5 m', '5w'])
      assert.throws(() => parseDurationMs('t', bad), badParam('t'), bad);
    assert.throws(() => parseDurationMs('t', '2h', 3600), badParam('t'));
    assert.deepEqual(parseHex('h', 'ABcd'), Buffer.from('abcd', 'hex'));
    assert.throws(() => parseHex('h', 'abc'), badParam('h'));
    assert.throws(() => parseHex('h', 'abcd', 32), badParam('h'));
  });
});
