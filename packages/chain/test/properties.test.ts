import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BlockLog, type LogRecord } from '../src/regtest/block-log.js';
import { decodeScriptNum, encodeScriptNum } from '../src/script/script-num.js';

const MAX5 = 2 ** 39 - 1;

describe('properties', { timeout: 60_000 }, () => {
  it('script numbers round-trip through their minimal encoding', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX5, max: MAX5 }), (n) => {
        const bytes = encodeScriptNum(n);
        assert.ok(bytes.length <= 5);
        assert.equal(decodeScriptNum(bytes, 5), n);
      }),
    );
  });

  it('the block log returns exactly the records before a cut anywhere in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-blocklog-'));
    try {
      fc.assert(
        fc.property(
          fc.array(
            fc.oneof(
              fc
                .uint8Array({ minLength: 1, maxLength: 300 })
                .map((raw): LogRecord => ({ kind: 'block', raw })),
              fc
                .uint8Array({ minLength: 32, maxLength: 32 })
                .map((hash): LogRecord => ({ kind: 'invalidate', hash })),
            ),
            { minLength: 1, maxLength: 8 },
          ),
          fc.nat(),
          (records, cutSeed) => {
            const path = join(dir, 'regtest-chain.log');
            writeFileSync(path, '');
            const { log } = BlockLog.open(dir);
            const ends: number[] = [];
            for (const r of records) {
              log.append(r);
              ends.push(readFileSync(path).length);
            }
            log.close();
            const size = ends.at(-1)!;
            const cut = cutSeed % (size + 1);
            truncateSync(path, cut);
            const { log: reopened, records: read } = BlockLog.open(dir);
            reopened.close();
            const whole = ends.filter((end) => end <= cut).length;
            assert.deepEqual(read, records.slice(0, whole));
            assert.equal(
              readFileSync(path).length,
              whole === 0 ? 0 : ends[whole - 1],
              'the torn tail is cut off',
            );
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
