import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../src/index.js';
import { hex } from './helpers.js';

describe('Message union', { timeout: 10_000 }, () => {
  it('narrows on the type name without an explicit unknown check', () => {
    const m = decodeMessage(hex('0012000a0000'));
    // Compile-time check: `m.type === 'ping'` selects PingMessage out of Message.
    const n = m.type === 'ping' ? m.numPongBytes : -1;
    assert.equal(n, 10);
    const u = decodeMessage(hex('ffff'));
    assert.equal(typeof u.type === 'number' && 'unknown' in u ? u.payload.length : -1, 0);
  });
});
