import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError, parseArgs } from '../src/index.js';

function usage(e: unknown): boolean {
  return e instanceof CliError && e.code === 'CLI_USAGE' && e.exitStatus === 2;
}

describe('parseArgs', () => {
  it('global options before the command, form fields after it, in order', () => {
    assert.deepEqual(
      parseArgs([
        '--url=http://h:1',
        '--password',
        'p',
        '--timeout',
        '5',
        'connect',
        '--nodeId',
        'n',
        'host=::1',
        '--port=9',
      ]),
      {
        help: false,
        url: 'http://h:1',
        password: 'p',
        timeoutSeconds: 5,
        command: 'connect',
        params: [
          ['nodeId', 'n'],
          ['host', '::1'],
          ['port', '9'],
        ],
      },
    );
  });

  it('values may contain = and start with --', () => {
    assert.deepEqual(parseArgs(['createinvoice', 'description=a=b', '--x', '--y']).params, [
      ['description', 'a=b'],
      ['x', '--y'],
    ]);
  });

  it('help forms', () => {
    assert.equal(parseArgs(['help']).help, true);
    assert.equal(parseArgs(['help', 'connect']).command, 'connect');
    assert.equal(parseArgs(['-h']).help, true);
    assert.equal(parseArgs([]).command, undefined);
  });

  it('usage errors', () => {
    for (const argv of [
      ['--nope', 'getinfo'],
      ['--url'],
      ['--timeout', '0', 'getinfo'],
      ['--timeout', '1.5', 'getinfo'],
      ['connect', 'uri'],
      ['connect', '=x'],
      ['connect', '--uri'],
      ['connect', '--=x'],
    ]) {
      assert.throws(() => parseArgs(argv), usage, argv.join(' '));
    }
  });
});
