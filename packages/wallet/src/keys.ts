import { HDKey } from '@scure/bip32';
import { coinType, KeyRing } from '@shoal/identity';
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

/**
 * BIP84 keys `m/84'/coin'/account'/change/index` of the node seed, derived through
 * `@shoal/identity`'s `KeyRing` (the node's one documented scheme: its `walletKeyPath`). The
 * account node is derived once and its two chain nodes cached, so each address key is a single
 * CKDpriv step instead of five from the master.
 */
export class Bip84WalletKeys implements WalletKeys {
  readonly accountPath: string;
  readonly #chains: readonly [HDKey, HDKey];

  private constructor(accountPath: string, chains: readonly [HDKey, HDKey]) {
    this.accountPath = accountPath;
    this.#chains = chains;
  }

  /** From the node's key ring, for `account` (default 0) on the ring's chain. */
  static fromKeyRing(ring: KeyRing, account = 0): Bip84WalletKeys {
    if (!Number.isInteger(account) || account < 0 || account >= 0x80000000)
      throw new WalletError('WALLET_INVALID_ARGUMENT', 'bad account number', { account });
    const path = `m/${BIP84_PURPOSE}'/${coinType(ring.chain)}'/${account}'`;
    const node = ring.deriveKey(path);
    // (private key, chain code) is the account's extended private key (BIP32 "Extended keys").
    const accountNode = new HDKey({ privateKey: node.privateKey, chainCode: node.chainCode });
    return new Bip84WalletKeys(path, [accountNode.deriveChild(0), accountNode.deriveChild(1)]);
  }

  /** From a 16-64 byte seed (the node seed): `fromKeyRing(KeyRing.fromSeed(seed, network))`. */
  static fromSeed(seed: Uint8Array, network: WalletNetwork, account = 0): Bip84WalletKeys {
    if (seed.length < 16 || seed.length > 64)
      throw new WalletError('WALLET_INVALID_ARGUMENT', 'a BIP32 seed is 16 to 64 bytes', {
        length: seed.length,
      });
    return Bip84WalletKeys.fromKeyRing(KeyRing.fromSeed(seed, network), account);
  }

  derive(change: KeyChain, index: number): WalletKey {
    if (!Number.isInteger(index) || index < 0 || index >= 0x80000000)
      throw new WalletError('WALLET_INVALID_ARGUMENT', 'bad address index', { index });
    // BIP32: an invalid child (probability ~2^-127) makes @scure/bip32 throw; we let that surface
    // rather than silently renumber addresses.
    const node = this.#chains[change].deriveChild(index);
    return { privateKey: node.privateKey!, publicKey: node.publicKey! };
  }
}
