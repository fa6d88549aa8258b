import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { ByteQueue } from '../src/byte-queue.js';

describe('ByteQueue', { timeout: 10_000 }, () => {
  it('hands out exactly the bytes pushed, whatever the chunk and read sizes', () => {
    for (let round = 0; round < 300; round++) {
      const data = randomBytes(randomInt(0, 2000));
      const q = new ByteQueue();
      const out: Buffer[] = [];
      let pushed = 0;
      while (pushed < data.length || q.length > 0) {
        if (pushed < data.length && randomInt(0, 2) === 0) {
          const n = randomInt(1, 41);
          q.push(Buffer.from(data.subarray(pushed, pushed + n)));
          pushed = Math.min(data.length, pushed + n);
        }
        const want = pushed === data.length ? Math.min(q.length, randomInt(0, 61)) : randomInt(0, 61);
        const before = q.length;
        const got = q.take(want);
        if (got === undefined) {
          assert.ok(before < want && q.length === before, 'undefined only when short, consuming nothing');
          continue;
        }
        assert.equal(got.length, want);
        assert.equal(q.length, before - want);
        out.push(Buffer.from(got));
      }
      assert.deepEqual(Buffer.concat(out), data);
    }
  });
});
