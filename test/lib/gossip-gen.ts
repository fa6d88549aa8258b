// Valid signed BOLT 7 gossip with real funding outputs, for the gossip end-to-end test and bench.
// Keys are generated here, funding outputs are P2WSH 2-of-2 of the channel's two bitcoin keys
// (BOLT 3 "Funding Transaction Output"), paid by transactions that spend the regtest chain's
// anyone-can-spend coinbases, and the scids are where those outputs really are.
import { secp256k1, sha256 } from '@shoal/crypto';
import {
  fundingScriptPubKey,
  fundingWitnessScript,
  keyLess,
  signChannelAnnouncement,
  signChannelUpdate,
  signNodeAnnouncement,
} from '@shoal/gossip';
import type { Address, ChannelAnnouncementMessage, ChannelUpdateMessage } from '@shoal/wire';
import { script as bscript, Transaction } from 'bitcoinjs-lib';

/** Bitcoin's regtest genesis hash, internal byte order (BOLT 0 `chain_hash`). */
export const REGTEST_CHAIN_HASH = Buffer.from(
  '06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f',
  'hex',
);

/** The regtest chain's default coinbase payout is P2WSH(OP_TRUE): spent with this one witness item. */
const OP_TRUE_SCRIPT = Uint8Array.of(0x51);

export interface GenKey {
  priv: Buffer;
  pub: Buffer;
}

/** A deterministic key: the first valid sha256(`label`/`i`/counter). */
export function keyFrom(label: string, i: number): GenKey {
  for (let c = 0; ; c++) {
    const priv = sha256(Buffer.from(`${label}/${i}/${c}`));
    if (secp256k1.isPrivateKey(priv)) return { priv, pub: secp256k1.publicKeyCreate(priv) };
  }
}

/** BOLT 7 `short_channel_id`: block height (3 bytes), transaction index (3), output index (2). */
export function scidOf(blockHeight: number, txIndex: number, outputIndex: number): bigint {
  return (BigInt(blockHeight) << 40n) | (BigInt(txIndex) << 16n) | BigInt(outputIndex);
}

/** BOLT 7 human form `HxTxO`. */
export function scidText(scid: bigint): string {
  return `${scid >> 40n}x${(scid >> 16n) & 0xffffffn}x${scid & 0xffffn}`;
}

/** A channel before its funding output is mined: endpoints sorted (`node_id_1` < `node_id_2`). */
export interface ChannelPlan {
  node1: GenKey;
  node2: GenKey;
  /** `bitcoin_key_1` belongs to `node_id_1`, `bitcoin_key_2` to `node_id_2`. */
  bitcoin1: GenKey;
  bitcoin2: GenKey;
  capacitySat: bigint;
  /** The funding output's scriptPubKey (P2WSH). */
  script: Uint8Array;
}

export function planChannel(
  a: GenKey,
  b: GenKey,
  bitcoinA: GenKey,
  bitcoinB: GenKey,
  capacitySat: bigint,
): ChannelPlan {
  const aFirst = keyLess(a.pub, b.pub);
  const [node1, node2] = aFirst ? [a, b] : [b, a];
  const [bitcoin1, bitcoin2] = aFirst ? [bitcoinA, bitcoinB] : [bitcoinB, bitcoinA];
  return {
    node1,
    node2,
    bitcoin1,
    bitcoin2,
    capacitySat,
    script: fundingScriptPubKey(bitcoin1.pub, bitcoin2.pub),
  };
}

export interface OutPointRef {
  /** Internal byte order. */
  txid: Uint8Array;
  vout: number;
}

/** A mined, announced channel. */
export interface GenChannel extends ChannelPlan {
  scid: bigint;
  outpoint: OutPointRef;
  /** `channel_announcement` wire bytes, type included. */
  announcement: Uint8Array;
}

/** Signs the `channel_announcement` of a mined funding output with all four keys (BOLT 7). */
export function announceChannel(
  plan: ChannelPlan,
  scid: bigint,
  outpoint: OutPointRef,
  chainHash: Uint8Array = REGTEST_CHAIN_HASH,
): GenChannel {
  const unsigned: ChannelAnnouncementMessage = {
    type: 'channel_announcement',
    nodeSignature1: new Uint8Array(64),
    nodeSignature2: new Uint8Array(64),
    bitcoinSignature1: new Uint8Array(64),
    bitcoinSignature2: new Uint8Array(64),
    features: new Uint8Array(0),
    chainHash,
    shortChannelId: scid,
    nodeId1: plan.node1.pub,
    nodeId2: plan.node2.pub,
    bitcoinKey1: plan.bitcoin1.pub,
    bitcoinKey2: plan.bitcoin2.pub,
    tlvs: { unknown: [] },
  };
  const { raw } = signChannelAnnouncement(unsigned, {
    node1: plan.node1.priv,
    node2: plan.node2.priv,
    bitcoin1: plan.bitcoin1.priv,
    bitcoin2: plan.bitcoin2.priv,
  });
  return { ...plan, scid, outpoint, announcement: raw };
}

/** A signed `channel_update` for `direction` (0: from `node_id_1`), BOLT 7. */
export function channelUpdate(
  ch: Pick<GenChannel, 'scid' | 'node1' | 'node2' | 'capacitySat'>,
  direction: 0 | 1,
  timestamp: number,
  fields: Partial<ChannelUpdateMessage> = {},
  chainHash: Uint8Array = REGTEST_CHAIN_HASH,
): Uint8Array {
  const m: ChannelUpdateMessage = {
    type: 'channel_update',
    signature: new Uint8Array(64),
    chainHash,
    shortChannelId: ch.scid,
    timestamp,
    messageFlags: 1,
    channelFlags: direction,
    cltvExpiryDelta: 40 + direction,
    htlcMinimumMsat: 1000n,
    feeBaseMsat: 1000,
    feeProportionalMillionths: 100 + direction,
    htlcMaximumMsat: ch.capacitySat * 1000n,
    tlvs: { unknown: [] },
    ...fields,
  };
  return signChannelUpdate(m, direction === 0 ? ch.node1.priv : ch.node2.priv).raw;
}

/** A signed `node_announcement` (BOLT 7) with an IPv4 address and an alias. */
export function nodeAnnouncement(
  key: GenKey,
  timestamp: number,
  alias: string,
  addresses: Address[] = [{ type: 'ipv4', addr: new Uint8Array([127, 0, 0, 1]), port: 9735 }],
): Uint8Array {
  const aliasBytes = Buffer.alloc(32);
  aliasBytes.write(alias.slice(0, 32));
  return signNodeAnnouncement(
    {
      type: 'node_announcement',
      signature: new Uint8Array(64),
      features: new Uint8Array(0),
      timestamp,
      nodeId: key.pub,
      rgbColor: new Uint8Array([key.pub[1] ?? 0, key.pub[2] ?? 0, key.pub[3] ?? 0]),
      alias: aliasBytes,
      addresses,
      tlvs: { unknown: [] },
    },
    key.priv,
  ).raw;
}

/** A copy of `raw` with one bit of its first signature flipped (bytes 2..65 after the type). */
export function corruptFirstSignature(raw: Uint8Array): Uint8Array {
  const bad = Uint8Array.from(raw);
  bad[40] = (bad[40] ?? 0) ^ 0x01;
  return bad;
}

/** An unspent output the generator may spend: P2WSH(OP_TRUE), the regtest chain's coinbase payout. */
export interface AnyoneCanSpendCoin extends OutPointRef {
  value: bigint;
}

/**
 * A version-2 transaction spending `coin` into `outputs` (in this order), the rest minus `fee`
 * back to P2WSH(OP_TRUE) as the last output. Returns the raw bytes and txid (internal order).
 */
export function fundingTransaction(
  coin: AnyoneCanSpendCoin,
  outputs: readonly { script: Uint8Array; value: bigint }[],
  changeScript: Uint8Array,
  fee: bigint,
): { raw: Buffer; txid: Buffer } {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(coin.txid, coin.vout, 0xfffffffd);
  let total = 0n;
  for (const o of outputs) {
    tx.addOutput(o.script, o.value);
    total += o.value;
  }
  const change = coin.value - total - fee;
  if (change < 0n) throw new Error(`coin of ${coin.value} sat cannot pay ${total} + fee ${fee}`);
  if (change > 1000n) tx.addOutput(changeScript, change);
  tx.setWitness(0, [OP_TRUE_SCRIPT]);
  return { raw: Buffer.from(tx.toBuffer()), txid: Buffer.from(tx.getHash()) };
}

/**
 * Spends a channel's funding output with both funding keys (BOLT 3 funding witness:
 * `0 <sig for pubkey1> <sig for pubkey2> <witnessScript>`, keys in script order) to `toScript`.
 */
export function spendFunding(
  ch: GenChannel,
  toScript: Uint8Array,
  fee: bigint,
): { raw: Buffer; txid: Buffer } {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(ch.outpoint.txid, ch.outpoint.vout, 0xfffffffd);
  tx.addOutput(toScript, ch.capacitySat - fee);
  const witnessScript = fundingWitnessScript(ch.bitcoin1.pub, ch.bitcoin2.pub);
  const digest = tx.hashForWitnessV0(0, witnessScript, ch.capacitySat, Transaction.SIGHASH_ALL);
  const keys = keyLess(ch.bitcoin1.pub, ch.bitcoin2.pub)
    ? [ch.bitcoin1, ch.bitcoin2]
    : [ch.bitcoin2, ch.bitcoin1];
  const sigs = keys.map((k) =>
    bscript.signature.encode(secp256k1.sign(digest, k.priv), Transaction.SIGHASH_ALL),
  );
  tx.setWitness(0, [new Uint8Array(0), ...sigs, witnessScript]);
  return { raw: Buffer.from(tx.toBuffer()), txid: Buffer.from(tx.getHash()) };
}
