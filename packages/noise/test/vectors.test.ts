import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Handshake, NoiseError, NoiseTransport } from '../src/index.js';
import { hexValue, loadVectorText, parseCases, sharedAppendix, type VectorCase } from './vectors.js';

const text = loadVectorText();
const cases = parseCases(text);

const ERROR_CODES: Record<string, string> = {
  READ_FAILED: 'NOISE_SHORT_READ',
  BAD_VERSION: 'NOISE_BAD_VERSION',
  BAD_PUBKEY: 'NOISE_BAD_KEY',
  BAD_TAG: 'NOISE_BAD_MAC',
  BAD_CIPHERTEXT: 'NOISE_BAD_MAC',
};

function param(c: VectorCase, key: string): Buffer {
  const v = c.params.get(key);
  assert.ok(v, `${c.name}: missing ${key}`);
  return hexValue(v);
}

type Outcome = { ok: true; value: Buffer | undefined } | { ok: false; error: unknown };

function attempt(fn: () => Buffer | undefined): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

function checkOutput(c: VectorCase, expected: string, outcome: Outcome, hs: Handshake): void {
  const err = /^ERROR \((\w+?)_(READ_FAILED|BAD_VERSION|BAD_PUBKEY|BAD_TAG|BAD_CIPHERTEXT)/.exec(expected);
  if (err) {
    assert.equal(outcome.ok, false, `${c.name}: expected ${expected}`);
    const error = (outcome as { error: unknown }).error;
    assert.ok(error instanceof NoiseError, `${c.name}: expected a NoiseError, got ${String(error)}`);
    assert.equal(error.code, ERROR_CODES[err[2] as string], `${c.name}: ${error.message}`);
    return;
  }
  const keys = /^(sk,rk|rk,sk)=(0x[0-9a-f]+),(0x[0-9a-f]+)$/.exec(expected);
  if (keys) {
    assert.ok(hs.complete, `${c.name}: handshake should be complete`);
    const r = hs.result();
    const [a, b] = [hexValue(keys[2] as string), hexValue(keys[3] as string)];
    const [sk, rk] = keys[1] === 'sk,rk' ? [a, b] : [b, a];
    assert.deepEqual(r.sendingKey, sk, `${c.name}: sk`);
    assert.deepEqual(r.receivingKey, rk, `${c.name}: rk`);
    return;
  }
  assert.ok(outcome.ok, `${c.name}: unexpected error ${String((outcome as { error: unknown }).error)}`);
  assert.equal((outcome as { value: Buffer }).value.toString('hex'), expected.replace(/^0x/, ''), c.name);
}

const handshakeCases = cases.filter((c) => /^transport-(initiator|responder)/.test(c.name));

it('the vector copy matches the shared BOLT 8 Appendix A', () => {
  const shared = sharedAppendix();
  if (shared === undefined) return; // shared/ absent: the copy is the source
  assert.ok(text.includes(shared.trimEnd()), 'test/vectors/bolt08-appendix-a.txt is out of date');
});

describe('BOLT 8 Appendix A handshake vectors', { timeout: 10_000 }, () => {
  it('parses all 15 handshake cases', () => assert.equal(handshakeCases.length, 15));

  for (const c of handshakeCases) {
    it(c.name, () => {
      const initiator = c.name.startsWith('transport-initiator');
      const ls = param(c, 'ls.priv');
      const e = param(c, 'e.priv');
      const hs = initiator
        ? Handshake.initiator({ localStaticKey: ls, ephemeralKey: e, remoteStaticKey: param(c, 'rs.pub') })
        : Handshake.responder({ localStaticKey: ls, ephemeralKey: e });
      assert.deepEqual(hs.localPublicKey, param(c, 'ls.pub'));
      let last: Outcome | undefined = initiator ? attempt(() => hs.writeAct1()) : undefined;
      let inputs = 0;
      let checked = 0;
      for (const ev of c.events) {
        if (ev.kind === 'input') {
          const m = hexValue(ev.value);
          inputs++;
          last = attempt(() => {
            if (initiator) return hs.readAct2(m);
            if (inputs === 1) return hs.readAct1(m);
            hs.readAct3(m);
            return undefined;
          });
        } else {
          assert.ok(last, `${c.name}: output before any step`);
          checkOutput(c, ev.value, last, hs);
          checked++;
        }
      }
      const final = c.events.at(-1)?.value ?? '';
      assert.ok(checked >= 1 && /^(ERROR|sk,rk|rk,sk)/.test(final), `${c.name}: ends in ${final}`);
    });
  }
});

describe('BOLT 8 Appendix A message encryption vectors', { timeout: 10_000 }, () => {
  const c = cases.find((x) => x.name === 'transport-message test');
  it('encrypts "hello" 1002 times with key rotation; outputs 0, 1, 500, 501, 1000, 1001 match', () => {
    assert.ok(c);
    const ck = param(c, 'ck');
    const sk = param(c, 'sk');
    const rk = param(c, 'rk');
    const sender = new NoiseTransport({ sendingKey: sk, receivingKey: rk, chainingKey: ck });
    const receiver = new NoiseTransport({ sendingKey: rk, receivingKey: sk, chainingKey: ck });
    const expected = new Map<number, string>();
    for (const [k, v] of c.params) {
      const m = /^output (\d+)$/.exec(k);
      if (m) expected.set(Number(m[1]), v.replace(/^0x/, ''));
    }
    assert.deepEqual(
      [...expected.keys()].sort((a, b) => a - b),
      [0, 1, 500, 501, 1000, 1001],
    );
    const hello = Buffer.from('hello');
    for (let i = 0; i <= 1001; i++) {
      const frame = sender.encrypt(hello);
      const want = expected.get(i);
      if (want !== undefined) assert.equal(frame.toString('hex'), want, `output ${i}`);
      const len = receiver.decryptLength(frame.subarray(0, 18));
      assert.equal(len, 5 + 16);
      assert.deepEqual(receiver.decryptBody(frame.subarray(18)), hello);
    }
  });
});

describe('NoiseTransport.encryptInto', { timeout: 10_000 }, () => {
  it('refuses an output buffer too small for the frame without consuming a nonce', () => {
    const keys = {
      sendingKey: Buffer.alloc(32, 1),
      receivingKey: Buffer.alloc(32, 2),
      chainingKey: Buffer.alloc(32, 3),
    };
    const sender = new NoiseTransport(keys);
    const receiver = new NoiseTransport({
      ...keys,
      sendingKey: keys.receivingKey,
      receivingKey: keys.sendingKey,
    });
    for (const size of [5, 1000]) {
      const m = Buffer.alloc(size, 7);
      const out = Buffer.alloc(NoiseTransport.frameLength(size) + 1);
      assert.throws(
        () => sender.encryptInto(m, out, 2),
        (e: unknown) => e instanceof NoiseError && e.code === 'NOISE_MESSAGE_TOO_LARGE',
      );
      assert.equal(sender.encryptInto(m, out, 1), NoiseTransport.frameLength(size));
      assert.equal(receiver.decryptLength(out.subarray(1, 19)), size + 16);
      assert.deepEqual(receiver.decryptBody(out.subarray(19)), m);
    }
  });
});
