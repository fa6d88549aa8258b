import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseHocon } from '../src/index.js';

function parseError(text: string): ConfigError {
  try {
    parseHocon(text, '/etc/shoal.conf');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e;
  }
  assert.fail('expected a parse error');
}

describe('HOCON subset parser', { timeout: 10_000 }, () => {
  it('parses dotted keys, blocks, both separators, comments, arrays and quoted strings', () => {
    const { root, positions } = parseHocon(
      [
        '# a comment',
        'chain = regtest // trailing comment',
        'server.port = 9736',
        'cluster {',
        '  host: "10.0.0.2"',
        '  seed-nodes = [ "10.0.0.1:25520", 10.0.0.3:25520 ]',
        '  failure-detector { threshold = 3 seconds }',
        '}',
        'cluster.port = 25521, node-alias = "my # node"',
        'bitcoind.rpc-url = http://127.0.0.1:8332',
        'api { password = null }',
        'roles = [',
        '  a',
        '  b,',
        ']',
        '"quoted.key" = 1',
      ].join('\n'),
      'x.conf',
    );
    assert.deepEqual(root, {
      chain: 'regtest',
      server: { port: '9736' },
      cluster: {
        host: '10.0.0.2',
        'seed-nodes': ['10.0.0.1:25520', '10.0.0.3:25520'],
        'failure-detector': { threshold: '3 seconds' },
        port: '25521',
      },
      'node-alias': 'my # node',
      bitcoind: { 'rpc-url': 'http://127.0.0.1:8332' },
      api: { password: null },
      roles: ['a', 'b'],
      'quoted.key': '1',
    });
    assert.deepEqual(positions.get('server.port'), { line: 3, column: 1 });
    assert.deepEqual(positions.get('cluster.host'), { line: 5, column: 3 });
  });

  it('later keys win and objects merge', () => {
    const { root } = parseHocon('a { b = 1, c = 2 }\na.b = 3\na { d = 4 }', 'x');
    assert.deepEqual(root, { a: { b: '3', c: '2', d: '4' } });
  });

  it('accepts plain JSON', () => {
    const { root } = parseHocon(
      '{\n  "server": { "port": 9736, "binding-ip": "::" },\n  "api": { "enabled": true }\n}',
      'x',
    );
    assert.deepEqual(root, { server: { port: '9736', 'binding-ip': '::' }, api: { enabled: 'true' } });
  });

  it('reports the file, line and column of a syntax error', () => {
    const e = parseError('chain = regtest\nserver {\n  port 9735\n}');
    assert.equal(e.code, 'CONFIG_PARSE');
    assert.deepEqual(
      { line: e.meta.issues[0]?.line, column: e.meta.issues[0]?.column },
      { line: 3, column: 8 },
    );
    assert.match(e.message, /\/etc\/shoal\.conf:3:8/);
    assert.match(e.message, /expected '=', ':' or '\{' after key 'server.port'/);
  });

  const bad: Array<[string, string, number]> = [
    ['a = "unterminated\nb = 1', 'unterminated quoted string', 1],
    ['a {\n b = 1\n', "expected '}'", 3],
    ['a = [1, 2', 'unterminated array', 1],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HOCON syntax under test
    ['a = ${HOME}', 'substitutions', 1],
    ['a += 1', "'+=' is not supported", 1],
    ['a = 1\ninclude "other.conf"', 'include is not supported', 2],
    ['a = 1\r\nb = [\r\n', 'unterminated array', 3],
    ['a = \n', 'missing value', 1],
    ['\n\na = "x" y', 'expected a newline or a comma', 3],
    ['= 1', 'expected a key', 1],
    ['{ a = 1 } b', 'unexpected content', 1],
  ];
  for (const [text, reason, line] of bad) {
    it(`refuses ${JSON.stringify(text)} at line ${line}`, () => {
      const e = parseError(text);
      assert.equal(e.code, 'CONFIG_PARSE');
      assert.ok(e.message.includes(reason), e.message);
      assert.equal(e.meta.issues[0]?.line, line);
    });
  }
});
