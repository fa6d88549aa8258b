import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  booleanFormat,
  durationFormat,
  enumFormat,
  type Format,
  hostFormat,
  hostPortListFormat,
  intFormat,
  ipFormat,
  portFormat,
  privkeyHexFormat,
  pubkeyHexFormat,
  stringFormat,
  stringListFormat,
  urlFormat,
} from '../src/index.js';
import { G_PUB, ONE_PRIV } from './helpers.js';

interface Case {
  name: string;
  format: Format<unknown>;
  accept: Array<[unknown, unknown]>;
  reject: unknown[];
}

const N = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';

const cases: Case[] = [
  {
    name: 'boolean',
    format: booleanFormat(),
    accept: [
      ['true', true],
      ['FALSE', false],
      ['1', true],
      ['0', false],
      ['yes', true],
      ['No', false],
      [true, true],
      [0, false],
    ],
    reject: ['on', 'off', 'y', '', '2', 'truee', null, {}],
  },
  {
    name: 'integer',
    format: intFormat({ min: 1, max: 100 }),
    accept: [
      ['12', 12],
      [' 7 ', 7],
      [100, 100],
      ['+3', 3],
    ],
    reject: ['12abc', '1.5', '', 'abc', '0x10', 0, 101, 1.5, '1e2', null],
  },
  {
    name: 'port',
    format: portFormat(),
    accept: [
      ['9735', 9735],
      [1, 1],
      ['65535', 65535],
    ],
    reject: ['0', '65536', '-1', '9735x', 'http'],
  },
  { name: 'port allowZero', format: portFormat({ allowZero: true }), accept: [['0', 0]], reject: ['-1'] },
  {
    name: 'duration',
    format: durationFormat(),
    accept: [
      ['3s', 3000],
      ['500ms', 500],
      ['2 minutes', 120_000],
      ['1h', 3_600_000],
      ['1.5s', 1500],
      ['250', 250],
      [42, 42],
      ['1 day', 86_400_000],
      ['10 SECONDS', 10_000],
    ],
    reject: ['3 parsecs', 's', '', '-1s', '0.5ms', -5, 1.5, 'three seconds', true],
  },
  {
    name: 'host',
    format: hostFormat(),
    accept: [
      ['localhost', 'localhost'],
      ['node-1.example.com', 'node-1.example.com'],
      ['10.0.0.1', '10.0.0.1'],
      ['::1', '::1'],
      ['[::1]', '::1'],
    ],
    reject: ['bad host', 'a..b', '-x.com', '', 'http://x', 12],
  },
  {
    name: 'ip',
    format: ipFormat(),
    accept: [
      ['0.0.0.0', '0.0.0.0'],
      ['::', '::'],
    ],
    reject: ['localhost', '1.2.3.4.5', '256.0.0.1'],
  },
  {
    name: 'url',
    format: urlFormat(['http', 'https']),
    accept: [
      ['http://127.0.0.1:8332', 'http://127.0.0.1:8332'],
      ['https://x.example/wallet/a', 'https://x.example/wallet/a'],
    ],
    reject: ['127.0.0.1:8332', 'tcp://x:1', 'not a url', ''],
  },
  {
    name: 'host:port list',
    format: hostPortListFormat(),
    accept: [
      ['10.0.0.1:25520', [{ host: '10.0.0.1', port: 25520 }]],
      [
        'a:1, b.example:2',
        [
          { host: 'a', port: 1 },
          { host: 'b.example', port: 2 },
        ],
      ],
      ['[::1]:25520', [{ host: '::1', port: 25520 }]],
      [
        '["a:1", "b:2"]',
        [
          { host: 'a', port: 1 },
          { host: 'b', port: 2 },
        ],
      ],
      [['a:1'], [{ host: 'a', port: 1 }]],
      [[{ host: 'a', port: 1 }], [{ host: 'a', port: 1 }]],
      ['', []],
    ],
    reject: ['a', 'a:0', 'a:99999', '::1:25520', 'bad host:1', [1], 'a:1x'],
  },
  {
    name: 'host list with default port',
    format: hostPortListFormat({ defaultPort: 9735 }),
    accept: [
      ['1.2.3.4', [{ host: '1.2.3.4', port: 9735 }]],
      ['1.2.3.4:9736', [{ host: '1.2.3.4', port: 9736 }]],
    ],
    reject: ['1.2.3.4:x'],
  },
  {
    name: 'string list',
    format: stringListFormat({ pattern: /^[a-z]+$/ }),
    accept: [
      ['a,b', ['a', 'b']],
      [['x'], ['x']],
    ],
    reject: ['A', [1]],
  },
  {
    name: 'string',
    format: stringFormat({ maxBytes: 4 }),
    accept: [
      ['abcd', 'abcd'],
      [12, '12'],
    ],
    reject: ['abcde', 'ééé', null],
  },
  {
    name: 'enum',
    format: enumFormat(['regtest', 'mainnet'] as const),
    accept: [['regtest', 'regtest']],
    reject: ['testnet', 'REGTEST', ''],
  },
  {
    name: 'pubkey',
    format: pubkeyHexFormat(),
    accept: [
      [G_PUB, G_PUB],
      [G_PUB.toUpperCase(), G_PUB],
    ],
    reject: [G_PUB.slice(2), `04${G_PUB.slice(2)}`, `02${'0'.repeat(64)}`, `${G_PUB}00`, 'zz'],
  },
  {
    name: 'privkey',
    format: privkeyHexFormat(),
    accept: [
      [ONE_PRIV, ONE_PRIV],
      [N.replace(/1$/, '0'), N.replace(/1$/, '0')],
    ],
    reject: ['0'.repeat(64), N, 'f'.repeat(64), ONE_PRIV.slice(1), `${ONE_PRIV}00`, 'g'.repeat(64)],
  },
];

describe('formats', { timeout: 10_000 }, () => {
  for (const c of cases) {
    it(`${c.name}: accepts and normalises`, () => {
      for (const [raw, want] of c.accept) {
        const r = c.format.parse(raw);
        assert.deepEqual(r, { ok: true, value: want }, `${c.name} should accept ${JSON.stringify(raw)}`);
        // Idempotent: convict re-validates parsed values with the same function.
        assert.deepEqual(c.format.parse(want), { ok: true, value: want });
      }
    });
    it(`${c.name}: rejects with a reason that does not echo the value`, () => {
      for (const raw of c.reject) {
        const r = c.format.parse(raw);
        assert.equal(r.ok, false, `${c.name} should reject ${JSON.stringify(raw)}`);
        if (!r.ok && typeof raw === 'string' && raw.length > 3) assert.ok(!r.reason.includes(raw));
      }
    });
  }

  it('duration renders values back in readable units', () => {
    const f = durationFormat();
    assert.deepEqual(
      [3000, 500, 120_000, 3_600_000, 0].map((v) => f.show(v)),
      ['3s', '500ms', '2min', '1h', '0ms'],
    );
  });
});
