/**
 * The synthetic graph of the gossip bench: `nodes` node keys, `channels` channels with their
 * funding outputs mined on a regtest chain (one funding transaction per channel with its P2WSH
 * 2-of-2 output, 2,000 of them per block, paid from mature anyone-can-spend coinbases), every
 * `channel_announcement` signed by its four keys, one `channel_update` per direction and one
 * `node_announcement` per node. Generated once and cached under `bench/.cache/gossip-<key>/`
 * (the chain as the regtest chain's own block log, the gossip as length-prefixed messages).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANYONE_CAN_SPEND_SCRIPT, RegtestChain } from '@shoal/chain';
import { Block } from 'bitcoinjs-lib';
import {
  type AnyoneCanSpendCoin,
  announceChannel,
  type ChannelPlan,
  channelUpdate,
  fundingTransaction,
  type GenKey,
  keyFrom,
  nodeAnnouncement,
  type OutPointRef,
  planChannel,
  scidOf,
} from '#test-lib/gossip-gen.js';

/** Channels funded per block (mainnet blocks hold ~3,000 transactions); also the fan-out's outputs. */
const OUTPUTS_PER_BLOCK = 2_000;
/** Fee of a 2,000-output fan-out transaction (~86 kvB) at ~2 sat/vB. */
const FAN_OUT_FEE_SAT = 200_000n;
/** Fee of a one-in one-out funding transaction (~100 vB) at ~5 sat/vB. */
const FUNDING_FEE_SAT = 500n;
/** Regenerate after this long: updates older than two weeks are stale (BOLT 7 pruning). */
const MAX_CACHE_AGE_S = 7 * 24 * 3600;
const CACHE_FORMAT = 2;

export interface GraphParams {
  nodes: number;
  channels: number;
}

/** One channel's messages in sending order: announcement, both updates, then the node
 * announcements of endpoints first seen in this channel (BOLT 7 query-reply order). */
export type Unit = Uint8Array[];

export interface BenchGraph {
  params: GraphParams;
  dir: string;
  /** `<dir>/regtest-chain.log`: copy it into a backend's datadir as its embedded chain. */
  chainLog: string;
  units: Unit[];
  /** Signatures a receiver checks: 4 per announcement, 1 per update and node announcement. */
  signatures: number;
  messages: number;
  generatedAt: number;
}

interface Meta {
  format: number;
  params: GraphParams;
  generatedAt: number;
  signatures: number;
  messages: number;
}

/** Deterministic pseudo-random numbers (xorshift32) for the topology and capacities. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Loads the cached graph for `params`, or generates (and caches) it. */
export async function loadGraph(
  cacheRoot: string,
  params: GraphParams,
  log: (s: string) => void,
): Promise<BenchGraph> {
  const key = createHash('sha256')
    .update(JSON.stringify({ CACHE_FORMAT, OUTPUTS_PER_BLOCK, ...params }))
    .digest('hex')
    .slice(0, 12);
  const dir = join(cacheRoot, `gossip-${key}`);
  const metaFile = join(dir, 'meta.json');
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta;
    if (Date.now() / 1000 - meta.generatedAt < MAX_CACHE_AGE_S) {
      log(`graph: cached in ${dir}`);
      return {
        ...meta,
        dir,
        chainLog: join(dir, 'regtest-chain.log'),
        units: readUnits(join(dir, 'gossip.bin')),
      };
    }
    log('graph: cache older than a week (its updates would go stale): regenerating');
  }
  rmSync(dir, { recursive: true, force: true });
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  const graph = await generate(tmp, params, log);
  writeUnits(join(tmp, 'gossip.bin'), graph.units);
  const meta: Meta = {
    format: CACHE_FORMAT,
    params,
    generatedAt: graph.generatedAt,
    signatures: graph.signatures,
    messages: graph.messages,
  };
  writeFileSync(join(tmp, 'meta.json'), `${JSON.stringify(meta)}\n`);
  renameSync(tmp, dir);
  log(`graph: generated in ${((Date.now() - started) / 1000).toFixed(1)} s, cached in ${dir}`);
  return { ...graph, dir, chainLog: join(dir, 'regtest-chain.log') };
}

async function generate(
  dir: string,
  params: GraphParams,
  log: (s: string) => void,
): Promise<Omit<BenchGraph, 'dir' | 'chainLog'>> {
  const rand = prng(0x5eed);
  const nodes: GenKey[] = Array.from({ length: params.nodes }, (_, i) => keyFrom('bench-node', i));
  const plans: ChannelPlan[] = [];
  for (let i = 0; i < params.channels; i++) {
    const a = i % params.nodes;
    const b = (a + 1 + (rand() % (params.nodes - 1))) % params.nodes;
    const capacity = 100_000n + BigInt(rand() % 1_900_000);
    plans.push(
      planChannel(
        nodes[a] as GenKey,
        nodes[b] as GenKey,
        keyFrom('bench-btc', 2 * i),
        keyFrom('bench-btc', 2 * i + 1),
        capacity,
      ),
    );
  }
  log(`graph: ${nodes.length} node keys and ${plans.length} channel plans`);

  // The chain: mature coinbases; per batch of OUTPUTS_PER_BLOCK channels, a fan-out transaction
  // splits a coinbase into anyone-can-spend coins, then each channel has its own funding
  // transaction (one input, one P2WSH output: the size of a real one), all mined in one block.
  const chain = new RegtestChain({}, { dataDir: dir });
  await chain.start();
  const batches = Math.ceil(plans.length / OUTPUTS_PER_BLOCK);
  const coinbaseBlocks = await chain.generate(batches);
  await chain.generate(100);
  const scids: bigint[] = [];
  const outpoints: OutPointRef[] = [];
  for (let t = 0; t < batches; t++) {
    const block = await chain.getBlock(coinbaseBlocks[t] as Uint8Array);
    const coinbase = Block.fromBuffer(Buffer.from(block?.raw ?? [])).transactions?.[0];
    if (!coinbase) throw new Error('coinbase missing');
    const coin: AnyoneCanSpendCoin = {
      txid: coinbase.getHash(),
      vout: 0,
      value: coinbase.outs[0]?.value ?? 0n,
    };
    const batch = plans.slice(t * OUTPUTS_PER_BLOCK, (t + 1) * OUTPUTS_PER_BLOCK);
    const fanOut = fundingTransaction(
      coin,
      batch.map((p) => ({ script: ANYONE_CAN_SPEND_SCRIPT, value: p.capacitySat + FUNDING_FEE_SAT })),
      ANYONE_CAN_SPEND_SCRIPT,
      FAN_OUT_FEE_SAT,
    );
    await chain.sendRawTransaction(fanOut.raw);
    const fundings = batch.map((p, vout) => {
      const input = { txid: fanOut.txid, vout, value: p.capacitySat + FUNDING_FEE_SAT };
      return fundingTransaction(
        input,
        [{ script: p.script, value: p.capacitySat }],
        ANYONE_CAN_SPEND_SCRIPT,
        FUNDING_FEE_SAT,
      );
    });
    for (const f of fundings) await chain.sendRawTransaction(f.raw);
    const [hash] = await chain.generate(1);
    const mined = await chain.getBlock(hash as Uint8Array);
    if (!mined) throw new Error('mined block missing');
    const index = new Map(
      (Block.fromBuffer(Buffer.from(mined.raw)).transactions ?? []).map((tx, i) => [
        Buffer.from(tx.getHash()).toString('hex'),
        i,
      ]),
    );
    for (const f of fundings) {
      const txIndex = index.get(f.txid.toString('hex'));
      if (txIndex === undefined) throw new Error('a funding transaction was not mined');
      scids.push(scidOf(mined.height, txIndex, 0));
      outpoints.push({ txid: f.txid, vout: 0 });
    }
    log(`graph: block ${mined.height} with ${fundings.length} funding transactions`);
  }
  await chain.generate(6);
  await chain.stop();

  // The gossip, signed.
  const generatedAt = Math.floor(Date.now() / 1000);
  const ts = generatedAt - 3600;
  const announced = new Set<number>();
  const nodeIndex = new Map(nodes.map((k, i) => [k.pub.toString('hex'), i]));
  const units: Unit[] = [];
  let signatures = 0;
  let messages = 0;
  for (let i = 0; i < plans.length; i++) {
    const ch = announceChannel(plans[i] as ChannelPlan, scids[i] as bigint, outpoints[i] as OutPointRef);
    const unit: Unit = [ch.announcement, channelUpdate(ch, 0, ts), channelUpdate(ch, 1, ts)];
    signatures += 6;
    for (const k of [ch.node1, ch.node2]) {
      const n = nodeIndex.get(k.pub.toString('hex')) ?? -1;
      if (announced.has(n)) continue;
      announced.add(n);
      unit.push(nodeAnnouncement(k, ts, `bench-${n}`));
      signatures++;
    }
    messages += unit.length;
    units.push(unit);
    if ((i + 1) % 10_000 === 0) log(`graph: ${i + 1} channels signed`);
  }
  return { params, units, signatures, messages, generatedAt };
}

/** `[u8 count]` then count times `[u16be length][message]`, per unit. */
function writeUnits(file: string, units: readonly Unit[]): void {
  const parts: Buffer[] = [];
  for (const u of units) {
    parts.push(Buffer.of(u.length));
    for (const m of u) {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(m.length);
      parts.push(len, Buffer.from(m));
    }
  }
  writeFileSync(file, Buffer.concat(parts));
}

function readUnits(file: string): Unit[] {
  const buf = readFileSync(file);
  const units: Unit[] = [];
  let at = 0;
  while (at < buf.length) {
    const count = buf[at++] ?? 0;
    const unit: Unit = [];
    for (let i = 0; i < count; i++) {
      const len = buf.readUInt16BE(at);
      unit.push(buf.subarray(at + 2, at + 2 + len));
      at += 2 + len;
    }
    units.push(unit);
  }
  return units;
}
