import { join } from 'node:path';
import {
  BitcoindChain,
  type BitcoinNetwork,
  type ChainSource,
  RegtestChain,
  type ScidOutput,
} from '@shoal/chain';
import type { FundingOutput, FundingOutputLookup } from '@shoal/gossip';
import type { KeyRing } from '@shoal/identity';
import type { Logger } from '@shoal/log';
import { Bip84WalletKeys, JsonFileWalletPersistence, Wallet } from '@shoal/wallet';
import { scidToParts } from '@shoal/wire';
import { Block } from 'bitcoinjs-lib';

/** Wallet state file inside the datadir (`{birthday, nextIndex}`; coins are rescanned on start). */
export const WALLET_FILE = 'wallet.json';

/** Fee rate used when bitcoind has no estimate yet (a fresh regtest or signet node): 1 sat/vB. */
const FALLBACK_FEERATE_PER_KW = 253n;

/** The `bitcoind.*` and `chain` settings the chain source is chosen from. */
export interface ChainConfig {
  chain: BitcoinNetwork;
  datadir: string;
  bitcoind: {
    'rpc-url': string | null;
    host: string;
    rpcport: number;
    auth: 'password' | 'safecookie';
    rpcuser: string | null;
    rpcpassword: string | null;
    cookie: string | null;
  };
}

/** An opened chain source; `regtest` is set when it is the embedded regtest chain. */
export interface OpenedChain {
  chain: ChainSource & { start(): Promise<void>; stop(): Promise<void> };
  regtest: RegtestChain | undefined;
  /** `embedded-regtest`, or the bitcoind URL without credentials. */
  description: string;
}

/** True when any `bitcoind.*` connection key is set: then bitcoind is used even on regtest. */
export function bitcoindConfigured(config: ChainConfig): boolean {
  const b = config.bitcoind;
  return b['rpc-url'] !== null || b.rpcuser !== null || b.cookie !== null;
}

/**
 * Opens and starts the chain source: the embedded `RegtestChain` in the datadir when `chain =
 * regtest` and no bitcoind is configured, else `BitcoindChain` (whose `start()` throws
 * `CHAIN_UNREACHABLE`, `CHAIN_UNAUTHORIZED` or `CHAIN_WRONG_NETWORK` for a bad node).
 */
export async function openChainSource(config: ChainConfig, logger: Logger): Promise<OpenedChain> {
  const log = logger.child({ component: 'chain' });
  if (config.chain === 'regtest' && !bitcoindConfigured(config)) {
    const regtest = new RegtestChain({ logger: log }, { dataDir: config.datadir });
    await regtest.start();
    return { chain: regtest, regtest, description: 'embedded-regtest' };
  }
  const b = config.bitcoind;
  const host = b.host.includes(':') ? `[${b.host}]` : b.host;
  const url = b['rpc-url'] ?? `http://${host}:${b.rpcport}`;
  // The cookie also when it is the only credential given (auth left at its default).
  const auth =
    b.cookie !== null && (b.auth === 'safecookie' || b.rpcuser === null)
      ? { cookieFile: b.cookie }
      : {
          ...(b.rpcuser === null ? {} : { user: b.rpcuser }),
          ...(b.rpcpassword === null ? {} : { password: b.rpcpassword }),
        };
  const chain = new BitcoindChain(
    { logger: log },
    { url, network: config.chain, fallbackFeeRatePerKw: FALLBACK_FEERATE_PER_KW, ...auth },
  );
  try {
    await chain.start();
  } catch (err) {
    await chain.stop();
    throw err;
  }
  return { chain, regtest: undefined, description: chain.rpc.url };
}

/** Starts the node's wallet: BIP84 keys from the node's `KeyRing`, state in `<datadir>/wallet.json`. */
export async function startWallet(
  deps: { chain: ChainSource; keyRing: KeyRing; logger: Logger },
  datadir: string,
): Promise<Wallet> {
  const logger = deps.logger.child({ component: 'wallet' });
  const wallet = new Wallet({
    chain: deps.chain,
    keys: Bip84WalletKeys.fromKeyRing(deps.keyRing),
    persistence: new JsonFileWalletPersistence(join(datadir, WALLET_FILE)),
    logger,
  });
  wallet.on('error', (err) => logger.error('wallet sync failed', { err }));
  await wallet.start();
  return wallet;
}

/**
 * `getinfo`'s block height: the chain source's tip, read at each call. When bitcoind does not
 * answer, the last height read is given (and the failure logged) so `getinfo` keeps working.
 */
export function tipHeight(chain: ChainSource, logger: Logger): () => Promise<number> {
  let last = 0;
  return async () => {
    try {
      last = (await chain.getTip()).height;
    } catch (err) {
      logger.warn('chain tip unavailable: getinfo reports the last height read', { err, height: last });
    }
    return last;
  };
}

/** How many recent look-ups {@link ChainFundingLookup} remembers the outpoint of. */
const REMEMBERED_OUTPOINTS = 10_000;
/** Parsed blocks kept by {@link ChainFundingLookup} (announcements arrive roughly grouped by block). */
const CACHED_BLOCKS = 16;

/** A remembered look-up: the output, and the spend watch's block count when it was asked for. */
export interface RecentOutput {
  output: ScidOutput;
  blocksSeen: number;
}

/** The transactions of one block as the funding check needs them. */
type BlockTxs = readonly { txid: Uint8Array; outs: readonly { script: Uint8Array; value: bigint }[] }[];

/**
 * BOLT 7 `channel_announcement` funding check over the chain source: the output behind a
 * `short_channel_id` (block height, transaction index, output index), its script, value and
 * whether it is unspent. Blocks are fetched and parsed once for all the channels they fund (a few
 * are cached by hash, so a reorg cannot serve stale data; concurrent look-ups share one fetch),
 * then each channel costs a block-hash and an unspent-output query. Recent answers keep their
 * outpoint and a block-count stamp (`stamp`, from the router's spend watch), so the router can
 * watch the spend of a channel it just accepted without looking it up again unless a block
 * arrived in between.
 */
export class ChainFundingLookup implements FundingOutputLookup {
  readonly #recent = new Map<bigint, RecentOutput>();
  readonly #blocks = new Map<string, Promise<BlockTxs | undefined>>();

  constructor(
    private readonly chain: Pick<ChainSource, 'getBlockHash' | 'getBlock' | 'getUtxo'>,
    private readonly stamp: () => number = () => -1,
  ) {}

  async lookup(scid: bigint): Promise<FundingOutput | undefined> {
    const blocksSeen = this.stamp();
    const out = await this.output(scid);
    if (out === undefined) return undefined;
    remember(this.#recent, scid, { output: out, blocksSeen }, REMEMBERED_OUTPOINTS);
    return { script: out.script, amountSat: out.value, spent: !out.unspent };
  }

  /** The output at `scid` as the chain source sees it now (undefined: no such block, tx or output). */
  async output(scid: bigint): Promise<ScidOutput | undefined> {
    const p = scidToParts(scid);
    const hash = await this.chain.getBlockHash(p.block);
    if (hash === undefined) return undefined;
    const tx = (await this.#txs(hash))?.[p.txIndex];
    const out = tx?.outs[p.outputIndex];
    if (tx === undefined || out === undefined) return undefined;
    const outpoint = { txid: tx.txid, vout: p.outputIndex };
    const utxo = await this.chain.getUtxo(outpoint);
    return { outpoint, value: out.value, script: out.script, unspent: utxo !== undefined };
  }

  /** The last look-up of `scid`, forgotten once taken. */
  takeRecent(scid: bigint): RecentOutput | undefined {
    const out = this.#recent.get(scid);
    this.#recent.delete(scid);
    return out;
  }

  #txs(hash: Uint8Array): Promise<BlockTxs | undefined> {
    const key = Buffer.from(hash).toString('hex');
    const cached = this.#blocks.get(key);
    if (cached !== undefined) return cached;
    const loading = this.chain.getBlock(hash).then((b) => {
      if (b === undefined) return undefined;
      return (Block.fromBuffer(Buffer.from(b.raw)).transactions ?? []).map((t) => ({
        txid: t.getHash(),
        outs: t.outs.map((o) => ({ script: o.script, value: o.value })),
      }));
    });
    remember(this.#blocks, key, loading, CACHED_BLOCKS);
    // A failed fetch is not cached: the caller gets the error, the next look-up tries again.
    loading.catch(() => this.#blocks.delete(key));
    return loading;
  }
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}
