import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ChannelReadyMessage,
  type ChannelReestablishMessage,
  type ClosingSignedMessage,
  type CommitmentSignedMessage,
  decodeMessage,
  encodeMessage,
  type SpliceInitMessage,
  scidFromString,
  type TxAckRbfMessage,
  type UpdateAddHtlcMessage,
  type UpdateFulfillHtlcMessage,
} from '../src/index.js';
import { hex, throwsWire, toHex } from './helpers.js';

const CID = new Uint8Array(32).fill(0x11);
const POINT = hex(`02${'22'.repeat(32)}`);

describe('BOLT 2 layouts', { timeout: 10_000 }, () => {
  it('channel_ready carries the alias as TLV 1 (8 bytes)', () => {
    const m: ChannelReadyMessage = {
      type: 'channel_ready',
      channelId: CID,
      secondPerCommitmentPoint: POINT,
      tlvs: { shortChannelId: scidFromString('1x2x3'), unknown: [] },
    };
    const bytes = encodeMessage(m);
    assert.equal(toHex(bytes), `0024${toHex(CID)}${toHex(POINT)}01080000010000020003`);
    assert.deepEqual(decodeMessage(bytes), m);
    throwsWire(
      () => decodeMessage(hex(`0024${toHex(CID)}${toHex(POINT)}0107${'00'.repeat(7)}`)),
      'WIRE_TLV_LENGTH',
    );
  });
  it('update_add_htlc is 1452 bytes plus TLVs; blinded_path is TLV 0', () => {
    const m: UpdateAddHtlcMessage = {
      type: 'update_add_htlc',
      channelId: CID,
      id: 7n,
      amountMsat: 0x1d24b2dfac520000n,
      paymentHash: new Uint8Array(32).fill(9),
      cltvExpiry: 800_000,
      onionRoutingPacket: new Uint8Array(1366).fill(5),
      tlvs: { unknown: [] },
    };
    assert.equal(encodeMessage(m).length, 2 + 32 + 8 + 8 + 32 + 4 + 1366);
    const blinded = { ...m, tlvs: { blindedPath: POINT, unknown: [] } };
    const bytes = encodeMessage(blinded);
    assert.equal(toHex(bytes.subarray(-35)), `0021${toHex(POINT)}`);
    assert.deepEqual(decodeMessage(bytes), blinded);
    throwsWire(() => encodeMessage({ ...m, onionRoutingPacket: new Uint8Array(1365) }), 'WIRE_OUT_OF_RANGE');
  });
  it('update_fulfill_htlc attribution_data is 920 bytes', () => {
    const m: UpdateFulfillHtlcMessage = {
      type: 'update_fulfill_htlc',
      channelId: CID,
      id: 1n,
      paymentPreimage: new Uint8Array(32),
      tlvs: {
        attributionData: {
          htlcHoldTimes: Array.from({ length: 20 }, (_, i) => i),
          truncatedHmacs: new Uint8Array(840),
        },
        unknown: [],
      },
    };
    const bytes = encodeMessage(m);
    assert.equal(toHex(bytes.subarray(74, 78)), '01fd0398');
    assert.deepEqual(decodeMessage(bytes), m);
    const short = {
      ...m,
      tlvs: { attributionData: { htlcHoldTimes: [1], truncatedHmacs: new Uint8Array(840) }, unknown: [] },
    };
    throwsWire(() => encodeMessage(short), 'WIRE_OUT_OF_RANGE');
  });
  it('commitment_signed counts its HTLC signatures', () => {
    const m: CommitmentSignedMessage = {
      type: 'commitment_signed',
      channelId: CID,
      signature: new Uint8Array(64).fill(1),
      htlcSignatures: [new Uint8Array(64).fill(2), new Uint8Array(64).fill(3)],
      tlvs: { unknown: [] },
    };
    const bytes = encodeMessage(m);
    assert.equal(toHex(bytes.subarray(98, 100)), '0002');
    assert.equal(bytes.length, 100 + 128);
    assert.deepEqual(decodeMessage(bytes), m);
    throwsWire(() => decodeMessage(bytes.subarray(0, bytes.length - 1)), 'WIRE_TRUNCATED');
  });
  it('closing_signed fee_range is TLV 1 of two u64', () => {
    const m: ClosingSignedMessage = {
      type: 'closing_signed',
      channelId: CID,
      feeSatoshis: 1000n,
      signature: new Uint8Array(64),
      tlvs: { feeRange: { minFeeSatoshis: 500n, maxFeeSatoshis: 2000n }, unknown: [] },
    };
    const bytes = encodeMessage(m);
    assert.equal(toHex(bytes.subarray(-18)), '011000000000000001f400000000000007d0');
    assert.deepEqual(decodeMessage(bytes), m);
  });
  it('channel_reestablish keeps next_funding and my_current_funding_locked', () => {
    const m: ChannelReestablishMessage = {
      type: 'channel_reestablish',
      channelId: CID,
      nextCommitmentNumber: 5n,
      nextRevocationNumber: 4n,
      yourLastPerCommitmentSecret: new Uint8Array(32),
      myCurrentPerCommitmentPoint: POINT,
      tlvs: {
        nextFunding: { txid: new Uint8Array(32).fill(0xaa), retransmitFlags: 1 },
        myCurrentFundingLocked: { txid: new Uint8Array(32).fill(0xbb), retransmitFlags: 0 },
        unknown: [{ type: 7n, value: hex('00') }],
      },
    };
    const bytes = encodeMessage(m);
    assert.deepEqual(decodeMessage(bytes), m);
    assert.equal(toHex(bytes.subarray(-3)), '070100', 'records sorted by type: 1, 5, then the kept 7');
  });
  it('require_confirmed_inputs is an empty flag; a value is rejected', () => {
    const m: TxAckRbfMessage = {
      type: 'tx_ack_rbf',
      channelId: CID,
      tlvs: { fundingOutputContribution: -5n, requireConfirmedInputs: true, unknown: [] },
    };
    const bytes = encodeMessage(m);
    assert.equal(toHex(bytes.subarray(34)), '0008fffffffffffffffb0200');
    assert.deepEqual(decodeMessage(bytes), m);
    throwsWire(() => decodeMessage(hex(`0049${toHex(CID)}020100`)), 'WIRE_TLV_LENGTH');
  });
  it('splice_init carries a signed contribution', () => {
    const m: SpliceInitMessage = {
      type: 'splice_init',
      channelId: CID,
      fundingContributionSatoshis: -100_000n,
      fundingFeeratePerkw: 253,
      locktime: 0,
      fundingPubkey: POINT,
      tlvs: { unknown: [] },
    };
    const bytes = encodeMessage(m);
    assert.equal(toHex(bytes.subarray(34, 42)), 'fffffffffffe7960');
    assert.deepEqual(decodeMessage(bytes), m);
  });
});
