import { HDKey } from '@scure/bip32';
import { BIP84_PURPOSE } from './constants.js';
import { WalletError } from './errors.js';
import type { WalletNetwork } from './types.js';

/** 0 = receive (external) chain, 1 = change (internal) chain (BIP44 "Change"). */
export type KeyChain = 0 | 1;

/** A derived wallet key: 32-byte private scalar and 33-byte compressed public key. */
export interface WalletKey {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * Where the wallet gets its keys from. The wallet only ever asks for `(change, index)` inside one
 * account; whoever implements this owns the seed and the derivation path.
 */
export interface WalletKeys {
  /** Human-readable derivation path of the account, e.g. `m/84'/1'/0'` (for logs and docs). */
  readonly accountPath: string;
  derive(change: KeyChain, index: number): WalletKey;
}

/** BIP44 coin type: 0 for mainnet, 1 for every test network. */
export function coinType(network: WalletNetwork): number {
  return network === 'mainnet' ? 0 : 1;
}

/**
 * BIP84 keys `m/84'/coin'/account'/change/index` from a BIP32 seed, over `@scure/bip32`. The
 * account and chain nodes are derived once and cached; each address key is one more CKDpriv step.
 */
export class Bip84WalletKeys implements WalletKeys {
  readonly accountPath: string;
  readonly #chains: readonly [HDKey, HDKey];

  private constructor(accountPath: string, chains: readonly [HDKey, HDKey]) {
    this.accountPath = accountPath;
    this.#chains = chains;
  }

  /** From a 16-64 byte seed (the node seed), for `network` and `account` (default 0). */
  static fromSeed(seed: Uint8Array, network: WalletNetwork, account = 0): Bip84WalletKeys {
    if (seed.length < 16 || seed.length > 64)
      throw new WalletError('WALLET_INVALID_ARGUMENT', 'a BIP32 seed is 16 to 64 bytes', {
        length: seed.length,
      });
    if (!Number.isInteger(account) || account < 0 || account >= 0x80000000)
      throw new WalletError('WALLET_INVALID_ARGUMENT', 'bad account number', { account });
    const path = `m/${BIP84_PURPOSE}'/${coinType(network)}'/${account}'`;
    const accountNode = HDKey.fromMasterSeed(seed).derive(path);
    return new Bip84WalletKeys(path, [accountNode.deriveChild(0), accountNode.deriveChild(1)]);
  }

  derive(change: KeyChain, index: number): WalletKey {
    if (!Number.isInteger(index) || index < 0 || index >= 0x80000000)
      throw new WalletError('WALLET_INVALID_ARGUMENT', 'bad address index', { index });
    const node = this.#chains[change].deriveChild(index);
    // A derived scalar can be invalid with probability ~2^-127; BIP32 says skip to the next index,
    // which @scure/bip32 reports by throwing. We let that surface rather than silently renumber.
    return { privateKey: node.privateKey!, publicKey: node.publicKey! };
  }
}
