import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  isSecretKey,
  LogError,
  type LoggerOptions,
  REDACTED,
  silentLogger,
} from '../src/index.js';

const NOW = new Date('2026-11-27T18:00:00.000Z');

function capture(opts: LoggerOptions = {}) {
  const lines: string[] = [];
  const log = createLogger({ now: () => NOW, sink: { write: (l: string) => lines.push(l) }, ...opts });
  const json = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, json };
}

class CodedError extends Error {
  override readonly name = 'CodedError';
  readonly code = 'NOISE_BAD_MAC';
  toJSON() {
    return { name: this.name, code: this.code, message: this.message, meta: { peer: '02ab' } };
  }
}

describe('createLogger', { timeout: 10_000 }, () => {
  it('writes one JSON object a line with time, level, msg and fields', () => {
    const { log, lines, json } = capture();
    log.info('peer connected', { peer: '02ab', port: 9735 });
    assert.equal(lines.length, 1);
    assert.ok(lines[0]?.endsWith('\n'));
    assert.deepEqual(json()[0], {
      time: NOW.toISOString(),
      level: 'info',
      msg: 'peer connected',
      peer: '02ab',
      port: 9735,
    });
  });

  it('filters below the level', () => {
    const { log, json } = capture({ level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(
      json().map((l) => l.level),
      ['warn', 'error'],
    );
    assert.equal(log.isLevelEnabled('info'), false);
    assert.equal(log.isLevelEnabled('error'), true);
  });

  it('child loggers add their fields, and a line can override them but not time/level/msg', () => {
    const { log, json } = capture({ fields: { role: 'frontend' } });
    const mesh = log.child({ component: 'mesh' }).child({ link: 'backend' });
    mesh.info('up', { link: 'backend-2', level: 'spoof', msg: 'spoof' });
    assert.deepEqual(json()[0], {
      time: NOW.toISOString(),
      level: 'info',
      msg: 'up',
      role: 'frontend',
      component: 'mesh',
      link: 'backend-2',
      level_: 'spoof',
      msg_: 'spoof',
    });
  });

  it('serialises errors with message, code, stack, metadata and cause', () => {
    const { log, json } = capture();
    const cause = new Error('socket closed');
    const err = new CodedError('bad mac', { cause });
    log.error('handshake failed', { err });
    const e = json()[0]?.err as Record<string, unknown>;
    assert.equal(e.name, 'CodedError');
    assert.equal(e.message, 'bad mac');
    assert.equal(e.code, 'NOISE_BAD_MAC');
    assert.deepEqual(e.meta, { peer: '02ab' });
    assert.match(String(e.stack), /CodedError: bad mac\n\s+at /);
    assert.equal((e.cause as Record<string, unknown>).message, 'socket closed');
  });

  it('handles bigint, bytes, Map, Set, Date, cycles and undefined', () => {
    const { log, json } = capture();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    log.info('x', {
      msat: 2n ** 64n,
      id: Buffer.from([0xde, 0xad]),
      raw: new Uint8Array([1, 2]),
      m: new Map([['k', 1]]),
      s: new Set([1, 2]),
      at: NOW,
      cyclic,
      gone: undefined,
    });
    const l = json()[0] ?? {};
    assert.equal(l.msat, '18446744073709551616');
    assert.equal(l.id, 'dead');
    assert.equal(l.raw, '0102');
    assert.deepEqual(l.m, { k: 1 });
    assert.deepEqual(l.s, [1, 2]);
    assert.equal(l.at, NOW.toISOString());
    assert.deepEqual(l.cyclic, { a: 1, self: '[Circular]' });
    assert.ok(!('gone' in l));
  });

  it('redacts values under secret-looking keys, at any depth', () => {
    const { log, lines } = capture({ format: 'pretty' });
    const secret = 'hunter2-secret-value';
    log.info('cfg', {
      api: { password: secret },
      privKey: secret,
      'priv-key': secret,
      nested: [{ token: secret }],
    });
    assert.ok(!lines[0]?.includes(secret), lines[0]);
    assert.ok(lines[0]?.includes(REDACTED));
    const j = capture();
    j.log.child({ seed: secret }).warn('x', { AKKA_TLS_PASSWORD: secret });
    assert.ok(!j.lines[0]?.includes(secret), j.lines[0]);
  });

  it('recognises secret keys by their last word only', () => {
    for (const k of [
      'password',
      'rpcpassword',
      'privKey',
      'priv-key',
      'AKKA_TLS_PASSWORD',
      'seed',
      'apiToken',
    ]) {
      assert.ok(isSecretKey(k), k);
    }
    for (const k of ['seed-nodes', 'secret-id', 'passed', 'peer', 'tokens_total', 'key'])
      assert.ok(!isSecretKey(k), k);
  });

  it('pretty format is one readable line, errors included', () => {
    const { log, lines } = capture({ format: 'pretty' });
    log.warn('peer\ndisconnected', { peer: '02ab', reason: 'ping timeout', err: new CodedError('bad mac') });
    assert.equal(lines.length, 1);
    assert.equal(
      lines[0],
      `${NOW.toISOString()} WARN  peer\\ndisconnected peer=02ab reason="ping timeout" err="CodedError NOISE_BAD_MAC: bad mac"\n`,
    );
  });

  it('refuses unknown options with a LogError', () => {
    assert.throws(
      () => createLogger({ level: 'verbose' as 'info' }),
      (e: unknown) => e instanceof LogError && e.code === 'LOG_BAD_OPTION',
    );
    assert.throws(() => createLogger({ level: 'toString' as 'info' }), LogError);
  });

  it('silentLogger writes nothing and its children too', () => {
    silentLogger.child({ a: 1 }).error('nothing');
    assert.equal(silentLogger.isLevelEnabled('error'), false);
  });

  it('writes to stderr by default', () => {
    const mod = fileURLToPath(new URL('../src/index.js', import.meta.url));
    const script = `import('${mod}').then((m) => m.createLogger().info('to stderr', { n: 1 }))`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    const line = JSON.parse(r.stderr) as Record<string, unknown>;
    assert.equal(line.msg, 'to stderr');
    assert.equal(line.n, 1);
  });
});
