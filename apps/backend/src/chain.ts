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

/** A remembered look-up: the output, and the spend watch's block count when it was asked for. */
export interface RecentOutput {
  output: ScidOutput;
  blocksSeen: number;
}

/**
 * BOLT 7 `channel_announcement` funding check over the chain source: the output behind a
 * `short_channel_id` (block height, transaction index, output index), its script, value and
 * whether it is unspent. Recent answers keep their outpoint and a block-count stamp (`stamp`,
 * from the router's spend watch), so the router can watch the spend of a channel it just
 * accepted without looking it up again unless a block arrived in between.
 */
export class ChainFundingLookup implements FundingOutputLookup {
  readonly #recent = new Map<bigint, RecentOutput>();

  constructor(
    private readonly chain: Pick<ChainSource, 'outputAtShortChannelId'>,
    private readonly stamp: () => number = () => -1,
  ) {}

  async lookup(scid: bigint): Promise<FundingOutput | undefined> {
    const blocksSeen = this.stamp();
    const out = await this.output(scid);
    if (out === undefined) return undefined;
    this.#recent.set(scid, { output: out, blocksSeen });
    if (this.#recent.size > REMEMBERED_OUTPOINTS) {
      const oldest = this.#recent.keys().next();
      if (oldest.done !== true) this.#recent.delete(oldest.value);
    }
    return { script: out.script, amountSat: out.value, spent: !out.unspent };
  }

  /** The output at `scid` as the chain source sees it now (undefined: no such block, tx or output). */
  output(scid: bigint): Promise<ScidOutput | undefined> {
    const p = scidToParts(scid);
    return this.chain.outputAtShortChannelId({
      blockHeight: p.block,
      txIndex: p.txIndex,
      outputIndex: p.outputIndex,
    });
  }

  /** The last look-up of `scid`, forgotten once taken. */
  takeRecent(scid: bigint): RecentOutput | undefined {
    const out = this.#recent.get(scid);
    this.#recent.delete(scid);
    return out;
  }
}
