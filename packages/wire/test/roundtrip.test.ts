import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CODECS,
  decodeMessage,
  encodeMessage,
  isUnknownMessage,
  MESSAGE_TYPES,
  type MessageName,
  WireError,
} from '../src/index.js';
import { MESSAGE_ARBITRARIES } from './message-arbitraries.js';

const NAMES = Object.keys(MESSAGE_ARBITRARIES) as MessageName[];
const RUNS = 150;

/** Decoding may succeed or throw a WireError; anything else is a bug. A success must re-encode exactly. */
function decodeOrWireError(bytes: Uint8Array): void {
  let m: ReturnType<typeof decodeMessage>;
  try {
    m = decodeMessage(bytes);
  } catch (e) {
    if (e instanceof WireError) return;
    throw e;
  }
  assert.deepEqual(encodeMessage(m), bytes, 'a decodable message re-encodes to the same bytes');
}

describe('every known message has a codec and an arbitrary', { timeout: 10_000 }, () => {
  it('covers the same names', () => {
    assert.deepEqual(CODECS.map((c) => c.name).sort(), [...NAMES].sort());
    const ids = CODECS.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'type numbers are unique');
  });
});

describe('round trip: arbitrary message -> encode -> decode -> deep-equal', { timeout: 30_000 }, () => {
  for (const name of NAMES) {
    it(name, () => {
      fc.assert(
        fc.property(MESSAGE_ARBITRARIES[name], (m) => {
          const bytes = encodeMessage(m);
          assert.equal((bytes[0]! << 8) | bytes[1]!, MESSAGE_TYPES[name]);
          const back = decodeMessage(bytes);
          assert.ok(!isUnknownMessage(back));
          assert.deepEqual(back, m);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('fuzz: decoders only ever throw WireError', { timeout: 30_000 }, () => {
  for (const name of NAMES) {
    it(`${name}: truncations and byte flips of valid encodings`, () => {
      fc.assert(
        fc.property(
          MESSAGE_ARBITRARIES[name],
          fc.nat(),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          (m, cut, at, x) => {
            const bytes = encodeMessage(m);
            const truncated = bytes.subarray(0, 2 + (cut % (bytes.length - 1)));
            decodeOrWireError(truncated);
            const flipped = bytes.slice();
            const i = 2 + (at % Math.max(1, bytes.length - 2));
            if (i < flipped.length) flipped[i]! ^= x;
            decodeOrWireError(flipped);
          },
        ),
        { numRuns: RUNS },
      );
    });
    it(`${name}: random payloads`, () => {
      const id = MESSAGE_TYPES[name];
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), (payload) => {
          const bytes = new Uint8Array(2 + payload.length);
          bytes[0] = id >> 8;
          bytes[1] = id & 0xff;
          bytes.set(payload, 2);
          decodeOrWireError(bytes);
        }),
        { numRuns: RUNS },
      );
    });
  }
  it('random messages of any type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => decodeOrWireError(b)),
      { numRuns: 2000 },
    );
  });
});
