import { BNB_MAX_TRIES } from './constants.js';

/** A coin offered to coin selection. */
export interface Candidate<T> {
  readonly value: bigint;
  /** Weight this coin adds when spent (outpoint, sequence and witness). */
  readonly inputWeight: number;
  readonly coin: T;
}

/** What the transaction needs, apart from its inputs. */
export interface SelectionTarget {
  /** Sum of the payment outputs (everything but change), satoshis. */
  readonly amount: bigint;
  readonly feeRatePerKw: bigint;
  /** Weight of the transaction without inputs and without change (overhead + payment outputs). */
  readonly baseWeight: number;
  /** Weight a change output adds. */
  readonly changeWeight: number;
  /** Weight of spending the change output later (counted in the cost of making change). */
  readonly changeSpendWeight: number;
  /** Change below this is not created; it goes to the fee instead. */
  readonly changeDust: bigint;
}

/** The coins chosen, the change (0n when none) and the fee (what inputs leave over). */
export interface Selection<T> {
  readonly selected: readonly Candidate<T>[];
  readonly change: bigint;
  readonly fee: bigint;
  readonly algorithm: 'branch-and-bound' | 'largest-first';
}

/** BOLT 3 "Fee Calculation": fee = weight x feerate_per_kw / 1000, rounded down there; we round up. */
export function feeForWeight(weight: number, feeRatePerKw: bigint): bigint {
  return (BigInt(weight) * feeRatePerKw + 999n) / 1000n;
}

/**
 * Chooses inputs for `target`, or returns undefined when the coins cannot pay it.
 *
 * 1. Branch and bound (Bitcoin Core's, after Murch's "An Evaluation of Coin Selection Strategies"):
 *    a depth-first search over the coins sorted by effective value (value minus the fee to spend
 *    it) for a set whose effective value lands in [need, need + cost of change], so that no change
 *    output is needed; among those found within {@link BNB_MAX_TRIES}, the least excess wins.
 * 2. Otherwise largest-first: add the largest coins until the outputs and the fee are covered,
 *    then add change if it is above its dust limit (else the remainder goes to the fee).
 *
 * Coins whose effective value is not positive at this fee rate are never chosen.
 */
export function selectCoins<T>(
  candidates: readonly Candidate<T>[],
  target: SelectionTarget,
): Selection<T> | undefined {
  const rate = target.feeRatePerKw;
  const useful = candidates
    .map((c) => ({ c, eff: c.value - feeForWeight(c.inputWeight, rate) }))
    .filter((x) => x.eff > 0n)
    .sort((a, b) => (a.eff === b.eff ? 0 : a.eff > b.eff ? -1 : 1));
  const need = target.amount + feeForWeight(target.baseWeight, rate);
  const costOfChange = feeForWeight(target.changeWeight + target.changeSpendWeight, rate) + target.changeDust;
  const exact = branchAndBound(
    useful.map((x) => x.eff),
    need,
    costOfChange,
  );
  if (exact) {
    const selected = exact.map((i) => useful[i]!.c);
    return { selected, change: 0n, fee: sum(selected) - target.amount, algorithm: 'branch-and-bound' };
  }
  return largestFirst(
    useful.map((x) => x.c),
    target,
  );
}

function largestFirst<T>(coins: readonly Candidate<T>[], target: SelectionTarget): Selection<T> | undefined {
  const sorted = [...coins].sort((a, b) => (a.value === b.value ? 0 : a.value > b.value ? -1 : 1));
  const selected: Candidate<T>[] = [];
  let total = 0n;
  let weight = target.baseWeight;
  for (const coin of sorted) {
    selected.push(coin);
    total += coin.value;
    weight += coin.inputWeight;
    const feeNoChange = feeForWeight(weight, target.feeRatePerKw);
    if (total < target.amount + feeNoChange) continue;
    const feeWithChange = feeForWeight(weight + target.changeWeight, target.feeRatePerKw);
    const change = total - target.amount - feeWithChange;
    if (change >= target.changeDust)
      return { selected, change, fee: feeWithChange, algorithm: 'largest-first' };
    return { selected, change: 0n, fee: total - target.amount, algorithm: 'largest-first' };
  }
  return undefined;
}

/** Indexes into `values` (sorted descending) summing into [need, need + slack], least excess; or undefined. */
function branchAndBound(values: readonly bigint[], need: bigint, slack: bigint): number[] | undefined {
  let available = values.reduce((a, v) => a + v, 0n);
  if (available < need) return undefined;
  const included: boolean[] = [];
  let current = 0n;
  let best: number[] | undefined;
  let bestExcess = 0n;
  for (let tries = 0; tries < BNB_MAX_TRIES; tries++) {
    let backtrack = false;
    if (current + available < need || current > need + slack) {
      backtrack = true;
    } else if (current >= need) {
      const excess = current - need;
      if (best === undefined || excess < bestExcess) {
        best = included.flatMap((inc, i) => (inc ? [i] : []));
        bestExcess = excess;
        if (excess === 0n) break;
      }
      backtrack = true;
    }
    if (backtrack) {
      // Undo the trailing exclusions, then turn the last inclusion into an exclusion.
      while (included.length > 0 && !included[included.length - 1]) {
        included.pop();
        available += values[included.length]!;
      }
      if (included.length === 0) break;
      included[included.length - 1] = false;
      current -= values[included.length - 1]!;
    } else {
      const i = included.length;
      available -= values[i]!;
      included.push(true);
      current += values[i]!;
    }
  }
  return best;
}

function sum<T>(coins: readonly Candidate<T>[]): bigint {
  return coins.reduce((a, c) => a + c.value, 0n);
}
