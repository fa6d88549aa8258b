import { Block, Transaction } from 'bitcoinjs-lib';
import { bytesEqual, fromHex, hashFromDisplay, hashToDisplay, toHex } from '../bytes.js';
import { ChainError } from '../errors.js';
import type { RegtestChain } from '../regtest/regtest-chain.js';
import type { ChainBlock } from '../types.js';

/** A JSON-RPC error with Bitcoin Core's code. */
export class RpcFault {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}
}

export interface MethodContext {
  readonly chain: RegtestChain;
  /** Blocks below this height answer as pruned (to exercise clients' CHAIN_PRUNED handling). */
  readonly prunedBelowHeight: number;
}

type Handler = (ctx: MethodContext, params: unknown[]) => Promise<unknown>;

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string') throw new RpcFault(-1, `JSON value of ${name} is not a string as expected`);
  return v;
};
const int = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new RpcFault(-1, `JSON value of ${name} is not an integer as expected`);
  return v;
};
const hashParam = (v: unknown, name: string): Uint8Array => {
  const s = str(v, name);
  if (!/^[0-9a-fA-F]{64}$/.test(s))
    throw new RpcFault(-8, `${name} must be of length 64 (not ${s.length}, for '${s}')`);
  return hashFromDisplay(s);
};
const btc = (sat: bigint): number => Number(sat) / 1e8;

async function blockOrFault(ctx: MethodContext, hash: Uint8Array): Promise<ChainBlock> {
  const block = await ctx.chain.getBlock(hash);
  if (!block) throw new RpcFault(-5, 'Block not found');
  return block;
}

async function confirmations(ctx: MethodContext, block: ChainBlock): Promise<number> {
  const active = await ctx.chain.getBlockHash(block.height);
  if (!active || !bytesEqual(active, block.hash)) return -1;
  return (await ctx.chain.getTip()).height - block.height + 1;
}

async function headerJson(ctx: MethodContext, block: ChainBlock) {
  const parsed = Block.fromBuffer(block.raw);
  const next = await ctx.chain.getBlockHash(block.height + 1);
  const conf = await confirmations(ctx, block);
  return {
    hash: hashToDisplay(block.hash),
    confirmations: conf,
    height: block.height,
    version: parsed.version,
    merkleroot: hashToDisplay(parsed.merkleRoot!),
    time: block.time,
    nonce: parsed.nonce,
    bits: parsed.bits.toString(16),
    nTx: parsed.transactions?.length ?? 0,
    ...(block.height > 0 ? { previousblockhash: hashToDisplay(block.previousHash) } : {}),
    ...(next && conf > 0 ? { nextblockhash: hashToDisplay(next) } : {}),
  };
}

function txJson(tx: Transaction) {
  return {
    txid: tx.getId(),
    hash: hashToDisplay(tx.getHash(true)),
    version: tx.version,
    size: tx.byteLength(),
    vsize: tx.virtualSize(),
    weight: tx.weight(),
    locktime: tx.locktime,
    vout: tx.outs.map((o, n) => ({ value: btc(o.value), n, scriptPubKey: { hex: toHex(o.script) } })),
    hex: tx.toHex(),
  };
}

/** The subset of Bitcoin Core's RPC that `BitcoindChain` and the compliance suite use. */
export const METHODS: Readonly<Record<string, Handler>> = {
  async getblockchaininfo(ctx) {
    const tip = await ctx.chain.getTip();
    return {
      chain: 'regtest',
      blocks: tip.height,
      headers: tip.height,
      bestblockhash: hashToDisplay(tip.hash),
      initialblockdownload: false,
      pruned: ctx.prunedBelowHeight > 0,
      ...(ctx.prunedBelowHeight > 0 ? { pruneheight: ctx.prunedBelowHeight } : {}),
    };
  },
  async getnetworkinfo() {
    return { version: 270000, subversion: '/Shoal:regtest-rpc/', connections: 0 };
  },
  async getblockcount(ctx) {
    return (await ctx.chain.getTip()).height;
  },
  async getbestblockhash(ctx) {
    return hashToDisplay((await ctx.chain.getTip()).hash);
  },
  async getblockhash(ctx, [height]) {
    const hash = await ctx.chain.getBlockHash(int(height, 'height'));
    if (!hash) throw new RpcFault(-8, 'Block height out of range');
    return hashToDisplay(hash);
  },
  async getblockheader(ctx, [hash, verbose = true]) {
    const block = await blockOrFault(ctx, hashParam(hash, 'blockhash'));
    return verbose === false ? toHex(block.raw.subarray(0, 80)) : headerJson(ctx, block);
  },
  async getblock(ctx, [hash, verbosity = 1]) {
    const block = await blockOrFault(ctx, hashParam(hash, 'blockhash'));
    if (block.height < ctx.prunedBelowHeight) throw new RpcFault(-1, 'Block not available (pruned data)');
    const level = typeof verbosity === 'boolean' ? (verbosity ? 1 : 0) : int(verbosity, 'verbosity');
    if (level === 0) return toHex(block.raw);
    const txs = Block.fromBuffer(block.raw).transactions ?? [];
    return {
      ...(await headerJson(ctx, block)),
      tx: level === 1 ? txs.map((t) => t.getId()) : txs.map(txJson),
    };
  },
  async getrawtransaction(ctx, [txid, verbose = false, blockhash]) {
    const found = await ctx.chain.getTransaction(hashParam(txid, 'txid'));
    const inBlock = blockhash === undefined ? undefined : hashParam(blockhash, 'blockhash');
    if (!found || (inBlock && (!found.confirmation || !bytesEqual(found.confirmation.blockHash, inBlock)))) {
      throw new RpcFault(
        -5,
        'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.',
      );
    }
    const tx = Transaction.fromBuffer(found.raw);
    if (verbose === false || verbose === 0) return tx.toHex();
    if (!found.confirmation) return txJson(tx);
    const block = (await ctx.chain.getBlock(found.confirmation.blockHash))!;
    return {
      ...txJson(tx),
      blockhash: hashToDisplay(block.hash),
      confirmations: await confirmations(ctx, block),
      time: block.time,
      blocktime: block.time,
    };
  },
  async gettxout(ctx, [txid, n, includeMempool = true]) {
    const outpoint = { txid: hashParam(txid, 'txid'), vout: int(n, 'n') };
    const tip = await ctx.chain.getTip();
    const pool = includeMempool === false ? { spent: false } : ctx.chain.getMempoolOutput(outpoint);
    if (pool.spent) return null;
    const utxo = await ctx.chain.getUtxo(outpoint);
    const found = utxo ?? (pool.created && { ...pool.created, height: tip.height + 1, coinbase: false });
    if (!found) return null;
    return {
      bestblock: hashToDisplay(tip.hash),
      confirmations: tip.height - found.height + 1,
      value: btc(found.value),
      scriptPubKey: { hex: toHex(found.script) },
      coinbase: found.coinbase,
    };
  },
  async getrawmempool(ctx) {
    return ctx.chain.getMempool().map(hashToDisplay);
  },
  async estimatesmartfee(ctx, [target]) {
    const estimate = await ctx.chain.estimateFee(int(target, 'conf_target'));
    return { feerate: btc(estimate.satPerKvB), blocks: estimate.targetBlocks };
  },
  async sendrawtransaction(ctx, [hex]) {
    try {
      return hashToDisplay(await ctx.chain.broadcast(fromHex(str(hex, 'hexstring'))));
    } catch (error) {
      if (!(error instanceof ChainError) || error.code !== 'CHAIN_TX_REJECTED') throw error;
      const reason = String(error.meta.reason);
      if (reason === 'TX decode failed') throw new RpcFault(-22, 'TX decode failed');
      if (/missingorspent/.test(reason)) throw new RpcFault(-25, reason);
      if (/already-in-chain/.test(reason)) throw new RpcFault(-27, 'Transaction outputs already in utxo set');
      throw new RpcFault(-26, reason);
    }
  },
  async generatetoaddress(ctx, [n, address]) {
    return (await ctx.chain.generate(int(n, 'nblocks'), str(address, 'address'))).map(hashToDisplay);
  },
  async invalidateblock(ctx, [hash]) {
    await ctx.chain.invalidateBlock(hashParam(hash, 'blockhash'));
    return null;
  },
  async submitblock(ctx, [hex]) {
    try {
      await ctx.chain.submitBlock(fromHex(str(hex, 'hexdata')));
      return null;
    } catch (error) {
      if (
        error instanceof ChainError &&
        (error.code === 'CHAIN_BLOCK_REJECTED' || error.code === 'CHAIN_TX_REJECTED')
      ) {
        return error.message;
      }
      throw error;
    }
  },
};
