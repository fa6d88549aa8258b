import type { OnChainBalance } from './types.js';
import type { Wallet } from './wallet.js';

/** What {@link fundOnRegtest} needs of a regtest chain (`RegtestChain.generate`). */
export interface RegtestMiner {
  generate(n: number, to?: string): Promise<unknown>;
}

/**
 * For the demo and tests on a regtest chain: mines `blocks` blocks whose coinbases pay fresh wallet
 * addresses, then `maturity` more blocks elsewhere so those coinbases can be spent, waits for the
 * wallet to see them, and returns its balance.
 */
export async function fundOnRegtest(
  wallet: Wallet,
  miner: RegtestMiner,
  options: { blocks?: number; maturity?: number } = {},
): Promise<OnChainBalance> {
  for (let i = 0; i < (options.blocks ?? 1); i++) await miner.generate(1, await wallet.getNewAddress());
  await miner.generate(options.maturity ?? 100);
  await wallet.sync();
  return wallet.onChainBalance();
}
