import { type ChainSource, COINBASE_MATURITY, FEERATE_PER_KW_FLOOR } from '@shoal/chain';
import { Block, type Transaction } from 'bitcoinjs-lib';
import { addressToScript, dustLimit } from './address.js';
import { AddressBook } from './address-book.js';
import { type Coin, CoinSet, outpointKey } from './coin-set.js';
import { DEFAULT_GAP_LIMIT, DEFAULT_MAX_REORG_DEPTH } from './constants.js';
import { WalletError } from './errors.js';
import type { WalletKeys } from './keys.js';
import type { WalletPersistence, WalletState } from './persistence.js';
import { fundingScripts, Spender, type SpendRequest } from './spender.js';
import type {
  FeeChoice,
  FundingTransaction,
  Logger,
  OnChainBalance,
  SignedTransaction,
  WalletUtxo,
} from './types.js';

export interface WalletDeps {
  readonly chain: ChainSource;
  readonly keys: WalletKeys;
  readonly persistence: WalletPersistence;
  readonly logger?: Logger;
}

export interface WalletOptions {
  /** Unused addresses scanned past the last used one, per chain (default 20). */
  readonly gapLimit?: number;
  /** Height to rescan from when the persistence holds no state yet (default: the tip at first start). */
  readonly birthday?: number;
  /** Confirmations a coin needs before it is spent (default 1; 0 also spends own unconfirmed change). */
  readonly minConfirmations?: number;
  /** Confirmations before a coinbase output is spendable (default 100, as consensus; tests lower it). */
  readonly coinbaseMaturity?: number;
  /** Deepest reorg followed without a full rescan (default 144). */
  readonly maxReorgDepth?: number;
}

/** Events of a {@link Wallet}. */
export interface WalletEvents {
  /** The wallet processed the chain up to `height`. */
  synced: { height: number };
  /** A sync started by a chain event failed (the next event or `sync()` retries). */
  error: Error;
}

/** Arguments of {@link Wallet.createFundingTransaction}. */
export interface FundingRequest {
  readonly localFundingPubkey: Uint8Array;
  readonly remoteFundingPubkey: Uint8Array;
  readonly amountSat: bigint;
  readonly feeRatePerKw: bigint;
}

/**
 * The node's on-chain wallet: BIP84 P2WPKH keys, coins tracked from the chain source's blocks
 * (rescanned from the birthday on start, reorgs followed), coin selection, RBF-signalling sends
 * and BOLT 3 funding transactions. Method names follow Eclair's API where it has one.
 */
export class Wallet {
  readonly #chain: ChainSource;
  readonly #keys: WalletKeys;
  readonly #persistence: WalletPersistence;
  readonly #logger: Logger | undefined;
  readonly #options: Required<Omit<WalletOptions, 'birthday'>> & { birthday?: number };
  readonly #coins = new CoinSet();
  readonly #hashes = new Map<number, Uint8Array>();
  #book: AddressBook | undefined;
  #spender: Spender | undefined;
  #birthday = 0;
  #height = -1;
  #queue: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void)[] = [];
  readonly #listeners = new Map<keyof WalletEvents, Set<(value: unknown) => void>>();

  constructor(deps: WalletDeps, options: WalletOptions = {}) {
    this.#chain = deps.chain;
    this.#keys = deps.keys;
    this.#persistence = deps.persistence;
    this.#logger = deps.logger;
    this.#options = {
      gapLimit: options.gapLimit ?? DEFAULT_GAP_LIMIT,
      minConfirmations: options.minConfirmations ?? 1,
      coinbaseMaturity: options.coinbaseMaturity ?? COINBASE_MATURITY,
      maxReorgDepth: options.maxReorgDepth ?? DEFAULT_MAX_REORG_DEPTH,
      ...(options.birthday === undefined ? {} : { birthday: options.birthday }),
    };
  }

  get network(): ChainSource['network'] {
    return this.#chain.network;
  }

  /** Height of the last block the wallet has processed. */
  get height(): number {
    return this.#height;
  }

  /** Loads (or creates) the persisted state, rescans from the birthday, then follows new blocks. */
  async start(): Promise<void> {
    if (this.#book) return;
    let state = await this.#persistence.load();
    if (!state) {
      const birthday = this.#options.birthday ?? (await this.#chain.getTip()).height;
      state = { birthday, nextIndex: { receive: 0, change: 0 } };
      await this.#persistence.save(state);
    }
    this.#birthday = state.birthday;
    // Rebuilt from the chain on every start: nothing but the persisted state carries over.
    this.#coins.clear();
    this.#hashes.clear();
    this.#height = state.birthday - 1;
    const book = new AddressBook(this.#keys, this.#chain.network, this.#options.gapLimit, state.nextIndex);
    this.#book = book;
    this.#spender = new Spender({ coins: this.#coins, book });
    const trigger = (): void => {
      this.sync().catch((error: unknown) => this.#reportError(error));
    };
    this.#unsubscribe = [this.#chain.on('block', trigger), this.#chain.on('blockDisconnected', trigger)];
    this.#logger?.info('wallet: rescanning', { from: state.birthday, account: this.#keys.accountPath });
    try {
      await this.sync();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    await this.#queue.catch(() => undefined);
    this.#book = undefined;
  }

  /** Processes every block up to the chain's tip (following reorgs); resolves when done. */
  sync(): Promise<void> {
    const run = this.#queue.then(() => this.#catchUp());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Eclair `getnewaddress`: a fresh P2WPKH address of the receive chain, persisted before returned. */
  async getNewAddress(): Promise<string> {
    const book = this.#requireStarted();
    const { address } = book.take(0);
    await this.#save();
    return address;
  }

  /** Eclair `onchainbalance`, in satoshis. */
  async onChainBalance(): Promise<OnChainBalance> {
    this.#requireStarted();
    let confirmed = 0n;
    let unconfirmed = 0n;
    let immature = 0n;
    for (const coin of this.#coins.coins()) {
      if (coin.spentBy) continue;
      if (coin.height === undefined) unconfirmed += coin.value;
      else if (coin.coinbase && this.#depth(coin) < this.#options.coinbaseMaturity) immature += coin.value;
      else confirmed += coin.value;
    }
    return { confirmed, unconfirmed, immature };
  }

  /** Unspent wallet coins (including reserved and unconfirmed ones). */
  async listUnspent(): Promise<WalletUtxo[]> {
    const spender = this.#requireSpender();
    return [...this.#coins.coins()]
      .filter((coin) => !coin.spentBy)
      .map((coin) => ({
        outpoint: coin.outpoint,
        value: coin.value,
        script: coin.script,
        keyPath: coin.keyPath,
        height: coin.height,
        coinbase: coin.coinbase,
        reserved: spender.isReserved(outpointKey(coin.outpoint.txid, coin.outpoint.vout)),
      }));
  }

  /**
   * Eclair `sendonchain`: pays `amountSat` to `address`, signs and broadcasts. The inputs are
   * marked spent before the broadcast and released again if the chain source refuses it.
   */
  async sendOnChain(address: string, amountSat: bigint, fee: FeeChoice): Promise<SignedTransaction> {
    const spender = this.#requireSpender();
    const script = addressToScript(address, this.#chain.network);
    const feeRatePerKw = await this.#feeRate(fee);
    const built = spender.build(this.#request([{ script, value: amountSat }], feeRatePerKw));
    this.#coins.apply(built.tx, undefined, (s) => this.#book?.lookup(s));
    spender.remember(built);
    await this.#save();
    await this.#broadcast(built.tx);
    return built.result;
  }

  /**
   * Builds and signs a transaction paying `amountSat` to the BOLT 3 funding output (P2WSH of the
   * sorted 2-of-2), without broadcasting it. Its inputs stay reserved until
   * {@link commitTransaction} (after the caller broadcast it), {@link releaseTransaction}, or a
   * block spending them.
   */
  async createFundingTransaction(request: FundingRequest): Promise<FundingTransaction> {
    const spender = this.#requireSpender();
    const feeRatePerKw = await this.#feeRate({ feeRatePerKw: request.feeRatePerKw });
    const { witnessScript, script } = fundingScripts(request.localFundingPubkey, request.remoteFundingPubkey);
    const built = spender.build(this.#request([{ script, value: request.amountSat }], feeRatePerKw));
    spender.reserve(built);
    await this.#save();
    return { ...built.result, outputIndex: built.outputIndexes[0]!, witnessScript };
  }

  /** The caller broadcast a transaction from {@link createFundingTransaction}: track it as pending. */
  async commitTransaction(txid: Uint8Array): Promise<void> {
    const built = this.#requireSpender().release(Buffer.from(txid).toString('hex'));
    this.#coins.apply(built.tx, undefined, (s) => this.#book?.lookup(s));
  }

  /** Eclair's `rollback`: unlocks the inputs of a funding transaction that will not be published. */
  async releaseTransaction(txid: Uint8Array): Promise<void> {
    this.#requireSpender().release(Buffer.from(txid).toString('hex'));
  }

  /**
   * BIP125 fee bump of a transaction sent with {@link sendOnChain} and still unconfirmed: the same
   * inputs and payment, less change, at `feeRatePerKw`; broadcast, and tracked instead of the original.
   */
  async bumpFee(txid: Uint8Array, feeRatePerKw: bigint): Promise<SignedTransaction> {
    const spender = this.#requireSpender();
    const txidHex = Buffer.from(txid).toString('hex');
    const rate = await this.#feeRate({ feeRatePerKw });
    const { built, original } = spender.replace(txidHex, rate);
    const lookup = (s: string) => this.#book?.lookup(s);
    this.#coins.dropTransaction(txidHex);
    this.#coins.apply(built.tx, undefined, lookup);
    spender.remember(built);
    await this.#save();
    try {
      await this.#broadcast(built.tx);
    } catch (error) {
      // Refused: the original is still the one in the mempool, track it again.
      this.#coins.apply(original.tx, undefined, lookup);
      spender.remember(original);
      throw error;
    }
    return built.result;
  }

  #request(outputs: SpendRequest['outputs'], feeRatePerKw: bigint): SpendRequest {
    for (const out of outputs) {
      const dust = dustLimit(out.script);
      if (out.value < dust)
        throw new WalletError(
          'WALLET_DUST',
          `output of ${out.value} sat is below the dust limit ${dust} sat`,
          {
            amountSat: out.value.toString(),
            dustLimitSat: dust.toString(),
          },
        );
    }
    const spendable = (coin: Coin): boolean => {
      if (coin.spentBy) return false;
      const depth = this.#depth(coin);
      if (depth < this.#options.minConfirmations) return false;
      return !coin.coinbase || depth >= this.#options.coinbaseMaturity;
    };
    // Anti fee-sniping (as Bitcoin Core): valid in the next block only, never in a re-mined old one.
    return { outputs, feeRatePerKw, locktime: Math.max(this.#height, 0), spendable };
  }

  #depth(coin: Coin): number {
    return coin.height === undefined ? 0 : this.#height - coin.height + 1;
  }

  async #feeRate(fee: FeeChoice): Promise<bigint> {
    if (fee.feeRatePerKw !== undefined) {
      if (fee.feeRatePerKw < FEERATE_PER_KW_FLOOR)
        throw new WalletError('WALLET_FEE_TOO_LOW', `fee rate ${fee.feeRatePerKw} sat/kw is below 253`, {
          feeRatePerKw: fee.feeRatePerKw.toString(),
        });
      return fee.feeRatePerKw;
    }
    if (!Number.isInteger(fee.confirmationTarget) || fee.confirmationTarget < 1)
      throw new WalletError('WALLET_INVALID_ARGUMENT', 'bad confirmation target', {
        confirmationTarget: fee.confirmationTarget,
      });
    const estimate = await this.#chain.estimateFee(fee.confirmationTarget);
    // biome-ignore lint/complexity/useMathMinMax: Math.max does not take bigint
    return estimate.satPerKw < FEERATE_PER_KW_FLOOR ? FEERATE_PER_KW_FLOOR : estimate.satPerKw;
  }

  async #broadcast(tx: Transaction): Promise<void> {
    try {
      await this.#chain.broadcast(tx.toBuffer());
    } catch (error) {
      this.#coins.dropTransaction(Buffer.from(tx.getHash()).toString('hex'));
      throw error;
    }
  }

  async #save(): Promise<void> {
    const book = this.#requireStarted();
    const state: WalletState = { birthday: this.#birthday, nextIndex: book.nextIndex };
    await this.#persistence.save(state);
  }

  async #catchUp(): Promise<void> {
    const book = this.#requireStarted();
    const before = book.nextIndex;
    let reorged = false;
    for (;;) {
      // Walk back to the last block we share with the chain source.
      while (this.#height >= this.#birthday) {
        const theirs = await this.#chain.getBlockHash(this.#height);
        const ours = this.#hashes.get(this.#height);
        if (!ours) {
          // Deeper than the spends we remember: start again from the birthday.
          this.#logger?.warn('wallet: reorg deeper than remembered, rescanning', {
            height: this.#height,
            birthday: this.#birthday,
          });
          this.#coins.clear();
          this.#hashes.clear();
          this.#height = this.#birthday - 1;
          reorged = true;
          break;
        }
        if (theirs && Buffer.compare(theirs, ours) === 0) break;
        this.#coins.disconnect(this.#height);
        this.#hashes.delete(this.#height);
        this.#height--;
        reorged = true;
      }
      if (await this.#connectToTip()) break;
    }
    if (reorged) await this.#dropVanished();
    this.#coins.prune(this.#height, this.#options.maxReorgDepth);
    this.#spender!.releaseSpent();
    const after = book.nextIndex;
    if (after.receive !== before.receive || after.change !== before.change) await this.#save();
    this.#emit('synced', { height: this.#height });
  }

  /** Subscribes to wallet events; returns the unsubscribe function. */
  on<K extends keyof WalletEvents>(event: K, listener: (value: WalletEvents[K]) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    set.add(listener as (value: unknown) => void);
    return () => set.delete(listener as (value: unknown) => void);
  }

  #emit<K extends keyof WalletEvents>(event: K, value: WalletEvents[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(value);
  }

  /** A background sync (triggered by a chain event) failed: report it, never drop it. */
  #reportError(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.#logger?.error('wallet: chain sync failed', { error: err.message });
    if (this.#listeners.get('error')?.size) this.#emit('error', err);
    else if (!this.#logger) process.emitWarning(err);
  }

  /** Connects blocks up to the tip; false when a block does not build on ours (a reorg mid-way). */
  async #connectToTip(): Promise<boolean> {
    for (;;) {
      const height = this.#height + 1;
      const hash = await this.#chain.getBlockHash(height);
      if (!hash) return true;
      const block = await this.#chain.getBlock(hash);
      if (!block) return false;
      const parent = this.#hashes.get(this.#height);
      if (parent && Buffer.compare(parent, block.previousHash) !== 0) return false;
      const txs = Block.fromBuffer(block.raw).transactions ?? [];
      // Paying to a new address can move the lookahead; apply again until nothing new is derived.
      let grew = true;
      while (grew) {
        grew = false;
        for (const tx of txs)
          for (const path of this.#coins.apply(tx, height, (s) => this.#book?.lookup(s)))
            grew = this.#book!.markUsed(path) || grew;
      }
      this.#hashes.set(height, hash);
      this.#hashes.delete(height - this.#options.maxReorgDepth);
      this.#height = height;
    }
  }

  /** After a reorg: unconfirmed transactions that are in neither a block nor the mempool are gone. */
  async #dropVanished(): Promise<void> {
    for (const txidHex of this.#coins.unconfirmedTxids()) {
      const found = await this.#chain.getTransaction(Buffer.from(txidHex, 'hex'));
      if (!found) this.#coins.dropTransaction(txidHex);
    }
  }

  #requireStarted(): AddressBook {
    if (!this.#book) throw new WalletError('WALLET_NOT_STARTED', 'wallet not started');
    return this.#book;
  }

  #requireSpender(): Spender {
    this.#requireStarted();
    return this.#spender!;
  }
}
