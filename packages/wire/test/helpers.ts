import assert from 'node:assert/strict';
import { WireError, type WireErrorCode } from '../src/index.js';

/** Hex (spaces and a 0x prefix allowed) to a plain Uint8Array. */
export function hex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/^0x/, '').replace(/\s+/g, ''), 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Asserts that `fn` throws a WireError, optionally with a given code. */
export function throwsWire(fn: () => unknown, code?: WireErrorCode): WireError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WireError, `expected WireError, got ${String(e)}`);
    if (code) assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected a WireError${code ? ` ${code}` : ''}`);
}
