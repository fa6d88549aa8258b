import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Candidate, feeForWeight, type SelectionTarget, selectCoins } from '../src/coin-selection.js';
import { DUST_LIMIT, WEIGHT } from '../src/constants.js';

const INPUT = WEIGHT.p2wpkhInput;
const coins = (...values: bigint[]): Candidate<number>[] =>
  values.map((value, i) => ({ value, inputWeight: INPUT, coin: i }));
const target = (amount: bigint, feeRatePerKw = 1000n): SelectionTarget => ({
  amount,
  feeRatePerKw,
  baseWeight: WEIGHT.txOverhead + WEIGHT.outputBase + 4 * 22,
  changeWeight: WEIGHT.outputBase + 4 * 22,
  changeSpendWeight: INPUT,
  changeDust: DUST_LIMIT.p2wpkh,
});

describe('selectCoins', { timeout: 30_000 }, () => {
  it('branch and bound finds an exact set and makes no change', () => {
    const t = target(100_000n);
    const base = feeForWeight(t.baseWeight, 1000n);
    const perInput = feeForWeight(INPUT, 1000n);
    // 60k + 40k (+ their input fees + the base fee) pays exactly; the big coin would need change.
    const s = selectCoins(coins(1_000_000n, 60_000n + perInput + base, 40_000n + perInput, 7_000n), t)!;
    assert.equal(s.algorithm, 'branch-and-bound');
    assert.equal(s.change, 0n);
    assert.deepEqual(s.selected.map((c) => c.coin).sort(), [1, 2]);
    assert.equal(s.fee, base + 2n * perInput);
  });

  it('falls back to largest-first with change when no exact set exists', () => {
    const s = selectCoins(coins(1_000_000n, 3_000n), target(100_000n))!;
    assert.equal(s.algorithm, 'largest-first');
    assert.deepEqual(
      s.selected.map((c) => c.coin),
      [0],
    );
    assert.ok(s.change > 0n);
    assert.equal(1_000_000n - 100_000n - s.change, s.fee);
  });

  it('returns undefined when the coins cannot pay, and ignores coins worth less than their fee', () => {
    assert.equal(selectCoins(coins(50_000n, 49_000n), target(100_000n)), undefined);
    // At 10,000 sat/kw a 272-weight input costs 2,720 sat: a 2,000 sat coin is useless.
    assert.equal(selectCoins(coins(2_000n, 2_000n), target(500n, 10_000n)), undefined);
  });

  it('always covers amount + fee for the real weight, and change is never dust', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 5_000_000n }), { minLength: 1, maxLength: 12 }),
        fc.bigInt({ min: 294n, max: 10_000_000n }),
        fc.bigInt({ min: 253n, max: 50_000n }),
        (values, amount, rate) => {
          const t = target(amount, rate);
          const s = selectCoins(coins(...values), t);
          if (!s) return;
          const inputs = s.selected.reduce((a, c) => a + c.value, 0n);
          const weight = t.baseWeight + s.selected.length * INPUT + (s.change > 0n ? t.changeWeight : 0);
          assert.equal(inputs, amount + s.change + s.fee);
          assert.ok(s.fee >= feeForWeight(weight, rate), `fee ${s.fee} for weight ${weight}`);
          assert.ok(s.change === 0n || s.change >= DUST_LIMIT.p2wpkh);
        },
      ),
      { numRuns: 300 },
    );
  });
});
