import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegtestChain } from '@shoal/chain';
import { Bip84WalletKeys } from '../src/keys.js';
import { JsonFileWalletPersistence, type WalletPersistence } from '../src/persistence.js';
import { Wallet, type WalletOptions } from '../src/wallet.js';

/** Coinbase maturity used by the tests' chain and wallets (Bitcoin's 100 would be slow). */
export const MATURITY = 2;

export interface Env {
  readonly dir: string;
  readonly chain: RegtestChain;
  readonly seed: Uint8Array;
  readonly wallet: Wallet;
  readonly persistence: WalletPersistence;
  newWallet(options?: WalletOptions, persistence?: WalletPersistence, seed?: Uint8Array): Promise<Wallet>;
  cleanup(): Promise<void>;
}

/** A regtest chain in a temp dir and a started wallet on it (JSON-file persistence in the same dir). */
export async function makeEnv(seedByte = 7, options: WalletOptions = {}): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-wallet-'));
  const chain = new RegtestChain({}, { dataDir: dir, coinbaseMaturity: MATURITY });
  await chain.start();
  const seed = new Uint8Array(32).fill(seedByte);
  const wallets: Wallet[] = [];
  const newWallet = async (
    opts: WalletOptions = {},
    persistence?: WalletPersistence,
    walletSeed = seed,
  ): Promise<Wallet> => {
    const wallet = new Wallet(
      {
        chain,
        keys: Bip84WalletKeys.fromSeed(walletSeed, 'regtest'),
        persistence: persistence ?? new JsonFileWalletPersistence(join(dir, `wallet-${wallets.length}.json`)),
      },
      { coinbaseMaturity: MATURITY, ...options, ...opts },
    );
    wallets.push(wallet);
    await wallet.start();
    return wallet;
  };
  const persistence = new JsonFileWalletPersistence(join(dir, 'wallet-0.json'));
  const wallet = await newWallet({}, persistence);
  return {
    dir,
    chain,
    seed,
    wallet,
    persistence,
    newWallet,
    cleanup: async () => {
      for (const w of wallets) await w.stop();
      await chain.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Mines `n` blocks to a fresh wallet address plus `MATURITY` more elsewhere, then syncs the wallet. */
export async function fund(env: Env, n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await env.chain.generate(1, await env.wallet.getNewAddress());
  await env.chain.generate(MATURITY);
  await env.wallet.sync();
}

/** An address no test wallet owns. */
export const OTHER_ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
