import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { payments } from 'bitcoinjs-lib';
import { fundingScripts } from '../src/spender.js';

// BOLT 3 "Appendix B: Funding Transaction Test Vectors".
const VECTOR = {
  localFundingPubkey: '023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb',
  remoteFundingPubkey: '030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c1',
  fundingWitnessScript:
    '5221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae',
};

describe('BOLT 3 funding output script', { timeout: 10_000 }, () => {
  for (const [name, a, b] of [
    ['local first', VECTOR.localFundingPubkey, VECTOR.remoteFundingPubkey],
    ['remote first', VECTOR.remoteFundingPubkey, VECTOR.localFundingPubkey],
  ] as const) {
    it(`matches Appendix B whichever key is given first (${name})`, () => {
      const { witnessScript, script } = fundingScripts(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
      assert.equal(Buffer.from(witnessScript).toString('hex'), VECTOR.fundingWitnessScript);
      const expected = payments.p2wsh({
        redeem: { output: Buffer.from(VECTOR.fundingWitnessScript, 'hex') },
      });
      assert.deepEqual(Buffer.from(script), Buffer.from(expected.output!));
    });
  }
});
