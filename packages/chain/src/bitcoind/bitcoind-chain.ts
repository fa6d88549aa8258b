import { Transaction } from 'bitcoinjs-lib';
import { bytesEqual, fromHex, hashFromDisplay, hashToDisplay, toHex } from '../bytes.js';
import { CORE_CHAIN_NAME, FEERATE_PER_KW_FLOOR, GENESIS_HASH_DISPLAY } from '../constants.js';
import { TypedEmitter } from '../emitter.js';
import { ChainError } from '../errors.js';
import type {
  BitcoinNetwork,
  ChainBlock,
  ChainEventName,
  ChainEvents,
  ChainListener,
  ChainSource,
  ChainTip,
  ChainTransaction,
  FeeEstimate,
  Logger,
  OutPoint,
  ScidOutput,
  ShortChannelId,
  Utxo,
  WatchOptions,
} from '../types.js';
import { ChainWatcher } from '../watcher.js';
import { BitcoindRpcClient, RPC_CODES, type RpcClientOptions } from './rpc-client.js';

export interface BitcoindChainOptions extends RpcClientOptions {
  /** The network the node must be on; start() fails with CHAIN_WRONG_NETWORK otherwise. */
  readonly network: BitcoinNetwork;
  /** How often to poll for a new tip (default 5000 ms; 0 disables polling, call sync()). */
  readonly pollIntervalMs?: number;
  /** Used when `estimatesmartfee` has no answer (a fresh regtest node); otherwise CHAIN_FEE_UNAVAILABLE. */
  readonly fallbackFeeRatePerKw?: bigint;
  readonly maxReorgDepth?: number;
}

interface BlockchainInfo {
  chain: string;
  blocks: number;
  bestblockhash: string;
  pruned?: boolean;
  pruneheight?: number;
}

interface BlockHeader {
  height: number;
  time: number;
  previousblockhash?: string;
}

/** A {@link ChainSource} backed by Bitcoin Core's JSON-RPC, polling for new blocks. */
export class BitcoindChain implements ChainSource {
  readonly network: BitcoinNetwork;
  readonly rpc: BitcoindRpcClient;
  readonly #options: BitcoindChainOptions;
  readonly #logger: Logger | undefined;
  readonly #events: TypedEmitter<ChainEvents>;
  readonly #watcher: ChainWatcher;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(deps: { logger?: Logger; rpc?: BitcoindRpcClient }, options: BitcoindChainOptions) {
    this.network = options.network;
    this.#options = options;
    this.#logger = deps.logger;
    this.rpc = deps.rpc ?? new BitcoindRpcClient({ logger: deps.logger }, options);
    this.#events = new TypedEmitter<ChainEvents>((error) =>
      this.#logger?.error('chain event listener threw', { error: String(error) }),
    );
    this.#watcher = new ChainWatcher(
      { source: this, events: this.#events },
      { maxReorgDepth: options.maxReorgDepth },
    );
  }

  /** Checks the node is reachable, authorised and on the configured network, then starts polling. */
  async start(): Promise<void> {
    if (this.#running) return;
    const info = await this.rpc.call<BlockchainInfo>('getblockchaininfo');
    const expected = CORE_CHAIN_NAME[this.network];
    const genesis = await this.rpc.call<string>('getblockhash', [0]);
    if (info.chain !== expected || genesis !== GENESIS_HASH_DISPLAY[this.network]) {
      throw new ChainError('CHAIN_WRONG_NETWORK', `bitcoind is on '${info.chain}', expected '${expected}'`, {
        expected,
        actual: info.chain,
        genesis,
      });
    }
    if (info.pruned)
      this.#logger?.warn('bitcoind is pruned; old blocks are unavailable', { pruneheight: info.pruneheight });
    await this.#watcher.start();
    this.#running = true;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.rpc.close();
  }

  on<K extends ChainEventName>(event: K, listener: ChainListener<K>): () => void {
    return this.#events.on(event, listener);
  }

  sync(): Promise<void> {
    return this.#watcher.sync();
  }

  async getChainHash(): Promise<Uint8Array> {
    return hashFromDisplay(await this.rpc.call<string>('getblockhash', [0]));
  }

  async getTip(): Promise<ChainTip> {
    const info = await this.rpc.call<BlockchainInfo>('getblockchaininfo');
    return { height: info.blocks, hash: hashFromDisplay(info.bestblockhash) };
  }

  async getBlockHash(height: number): Promise<Uint8Array | undefined> {
    try {
      return hashFromDisplay(await this.rpc.call<string>('getblockhash', [height]));
    } catch (error) {
      if (isRpcCode(error, RPC_CODES.INVALID_PARAMETER)) return undefined;
      throw error;
    }
  }

  async getBlock(hash: Uint8Array): Promise<ChainBlock | undefined> {
    const id = hashToDisplay(hash);
    const [header, raw] = await this.rpc.batch([
      { method: 'getblockheader', params: [id, true] },
      { method: 'getblock', params: [id, 0] },
    ]);
    for (const slot of [header, raw]) {
      if (slot instanceof ChainError) {
        if (slot.code === 'CHAIN_NOT_FOUND') return undefined;
        throw slot;
      }
    }
    const h = header as BlockHeader;
    const previousHash = h.previousblockhash ? hashFromDisplay(h.previousblockhash) : new Uint8Array(32);
    return { hash, height: h.height, previousHash, time: h.time, raw: fromHex(raw as string) };
  }

  async getTransaction(txid: Uint8Array): Promise<ChainTransaction | undefined> {
    let tx: { hex: string; blockhash?: string; confirmations?: number };
    try {
      tx = await this.rpc.call('getrawtransaction', [hashToDisplay(txid), true]);
    } catch (error) {
      if (error instanceof ChainError && error.code === 'CHAIN_NOT_FOUND') return undefined;
      throw error;
    }
    if (!tx.blockhash || !tx.confirmations || tx.confirmations < 1) return { txid, raw: fromHex(tx.hex) };
    const header = await this.rpc.call<BlockHeader>('getblockheader', [tx.blockhash, true]);
    return {
      txid,
      raw: fromHex(tx.hex),
      confirmation: { height: header.height, blockHash: hashFromDisplay(tx.blockhash) },
    };
  }

  async getUtxo(outpoint: OutPoint): Promise<Utxo | undefined> {
    const out = await this.rpc.call<{
      bestblock: string;
      confirmations: number;
      value: number;
      scriptPubKey: { hex: string };
      coinbase: boolean;
    } | null>('gettxout', [hashToDisplay(outpoint.txid), outpoint.vout, false]);
    if (!out || out.confirmations < 1) return undefined;
    const best = await this.rpc.call<BlockHeader>('getblockheader', [out.bestblock, true]);
    return {
      outpoint,
      value: btcToSat(out.value),
      script: fromHex(out.scriptPubKey.hex),
      height: best.height - out.confirmations + 1,
      coinbase: out.coinbase,
    };
  }

  async outputAtShortChannelId(scid: ShortChannelId): Promise<ScidOutput | undefined> {
    const hash = await this.getBlockHash(scid.blockHeight);
    if (!hash) return undefined;
    const block = await this.rpc.call<{ tx: string[] }>('getblock', [hashToDisplay(hash), 1]);
    const txidHex = block.tx[scid.txIndex];
    if (!txidHex) return undefined;
    const rawHex = await this.rpc.call<string>('getrawtransaction', [txidHex, false, hashToDisplay(hash)]);
    const out = Transaction.fromHex(rawHex).outs[scid.outputIndex];
    if (!out) return undefined;
    const utxo = await this.rpc.call<unknown>('gettxout', [txidHex, scid.outputIndex, false]);
    const outpoint = { txid: hashFromDisplay(txidHex), vout: scid.outputIndex };
    return { outpoint, value: out.value, script: out.script, unspent: utxo !== null };
  }

  async estimateFee(targetBlocks: number): Promise<FeeEstimate> {
    const answer = await this.rpc.call<{ feerate?: number; blocks?: number; errors?: string[] }>(
      'estimatesmartfee',
      [targetBlocks],
    );
    let satPerKw: bigint;
    if (answer.feerate !== undefined && answer.feerate > 0) satPerKw = btcToSat(answer.feerate) / 4n;
    else if (this.#options.fallbackFeeRatePerKw !== undefined) satPerKw = this.#options.fallbackFeeRatePerKw;
    else {
      throw new ChainError('CHAIN_FEE_UNAVAILABLE', 'bitcoind has no fee estimate yet', {
        errors: (answer.errors ?? []).join('; '),
      });
    }
    if (satPerKw < FEERATE_PER_KW_FLOOR) satPerKw = FEERATE_PER_KW_FLOOR;
    return { satPerKw, satPerKvB: satPerKw * 4n, targetBlocks: answer.blocks ?? targetBlocks };
  }

  async broadcast(rawTx: Uint8Array): Promise<Uint8Array> {
    let txid: Uint8Array;
    try {
      txid = Transaction.fromBuffer(rawTx).getHash();
    } catch (error) {
      throw new ChainError(
        'CHAIN_TX_REJECTED',
        'TX decode failed',
        { reason: 'TX decode failed' },
        { cause: error },
      );
    }
    try {
      const answer = await this.rpc.call<string>('sendrawtransaction', [toHex(rawTx)]);
      const returned = hashFromDisplay(answer);
      if (!bytesEqual(returned, txid)) {
        throw new ChainError('CHAIN_BAD_RESPONSE', 'sendrawtransaction returned another txid', {
          txid: answer,
        });
      }
      return returned;
    } catch (error) {
      // Older nodes report a resubmission as an error; the transaction is where we want it.
      if (
        error instanceof ChainError &&
        /already-in-mempool|already in mempool/i.test(String(error.meta.rpcMessage))
      ) {
        return txid;
      }
      throw error;
    }
  }

  watchSpend(outpoint: OutPoint, options?: WatchOptions): Promise<string> {
    return this.#watcher.watchSpend(outpoint, options);
  }

  watchConfirmations(txid: Uint8Array, depth: number, options?: WatchOptions): Promise<string> {
    return this.#watcher.watchConfirmations(txid, depth, options);
  }

  unwatch(watchId: string): void {
    this.#watcher.unwatch(watchId);
  }

  #schedule(): void {
    const interval = this.#options.pollIntervalMs ?? 5000;
    if (!this.#running || interval <= 0) return;
    this.#timer = setTimeout(() => {
      this.#watcher
        .sync()
        .catch((error: unknown) => {
          this.#logger?.warn('bitcoind poll failed', { error: String(error) });
          this.#events.emit('error', error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => this.#schedule());
    }, interval);
    this.#timer.unref();
  }
}

function isRpcCode(error: unknown, code: number): boolean {
  return error instanceof ChainError && error.meta.rpcCode === code;
}

/** BTC amount as bitcoind prints it (a JSON number with at most 8 decimals) to satoshis. */
export function btcToSat(btc: number): bigint {
  return BigInt(Math.round(btc * 1e8));
}
