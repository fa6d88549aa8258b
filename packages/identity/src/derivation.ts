import { inspect } from 'node:util';
import { HDKey } from '@scure/bip32';
import { HARDENED } from './constants.js';
import { IdentityError } from './errors.js';
import { NodeKey } from './node-key.js';

/** Bitcoin networks (Eclair's `chain` names, plus testnet4). */
export type BitcoinChain = 'mainnet' | 'testnet' | 'testnet4' | 'signet' | 'regtest';

const CHAINS: readonly BitcoinChain[] = ['mainnet', 'testnet', 'testnet4', 'signet', 'regtest'];

/** BIP32 serialisation versions: xprv/xpub on mainnet, tprv/tpub elsewhere. */
const VERSIONS = {
  mainnet: { private: 0x0488ade4, public: 0x0488b21e },
  test: { private: 0x04358394, public: 0x043587cf },
} as const;

function checkChain(chain: BitcoinChain): void {
  if (!CHAINS.includes(chain)) {
    throw new IdentityError('IDENTITY_BAD_OPTIONS', `unknown chain "${String(chain)}"`, {
      chain: String(chain),
    });
  }
}

/**
 * Path of the node key: `m/47'/0'` on mainnet, `m/46'/0'` on test networks. These are Eclair's
 * `nodeKeyBasePath`, so a `node_seed.dat` moved from Eclair keeps its node id. The node key sits on
 * its own hardened branch: leaking it reveals nothing about wallet (84') or channel keys.
 */
export function nodeKeyPath(chain: BitcoinChain): string {
  checkChain(chain);
  return chain === 'mainnet' ? "m/47'/0'" : "m/46'/0'";
}

/** SLIP-44 coin type for BIP44-style paths: 0 on mainnet, 1 on every test network. */
export function coinType(chain: BitcoinChain): 0 | 1 {
  checkChain(chain);
  return chain === 'mainnet' ? 0 : 1;
}

function checkIndex(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new IdentityError('IDENTITY_BAD_PATH', `${name} must be an integer in [0, ${max}], got ${value}`, {
      [name]: String(value),
    });
  }
}

/** BIP84 path of a P2WPKH key: `m/84'/coin_type'/account'/change/address_index`. */
export function walletKeyPath(chain: BitcoinChain, account: number, change: 0 | 1, index: number): string {
  checkIndex('account', account, HARDENED - 1);
  checkIndex('change', change, 1);
  checkIndex('index', index, HARDENED - 1);
  return `m/84'/${coinType(chain)}'/${account}'/${change}/${index}`;
}

/**
 * Parses a BIP32 path (`m`, `m/0'/1/2h`, `m/0H`) into child indexes (hardened ones offset by 2^31).
 * Throws `IDENTITY_BAD_PATH` on anything else.
 */
export function parseKeyPath(path: string): number[] {
  const parts = path.split('/');
  if (parts[0] !== 'm') {
    throw new IdentityError('IDENTITY_BAD_PATH', `key path "${path}" must start with "m"`, { path });
  }
  return parts.slice(1).map((part) => {
    const match = /^(0|[1-9][0-9]{0,9})(['hH]?)$/.exec(part);
    const value = match ? Number(match[1]) : Number.NaN;
    if (!match || value >= HARDENED) {
      throw new IdentityError('IDENTITY_BAD_PATH', `key path "${path}" has a bad component "${part}"`, {
        path,
      });
    }
    return match[2] ? value + HARDENED : value;
  });
}

/** A key derived from the node seed. Logs and JSON show its path and public key only. */
export class DerivedKey {
  readonly #hd: HDKey;
  /** The path it was derived at, as given. */
  readonly path: string;

  /** @internal */
  constructor(hd: HDKey, path: string) {
    this.#hd = hd;
    this.path = path;
  }

  /** 32-byte private key (a copy). */
  get privateKey(): Buffer {
    return Buffer.from(this.#hd.privateKey!);
  }

  /** 33-byte compressed public key. */
  get publicKey(): Buffer {
    return Buffer.from(this.#hd.publicKey!);
  }

  /** 32-byte chain code (secret-equivalent together with any non-hardened child private key). */
  get chainCode(): Buffer {
    return Buffer.from(this.#hd.chainCode!);
  }

  /** Base58 extended public key (xpub on mainnet, tpub on test networks). */
  get extendedPublicKey(): string {
    return this.#hd.publicExtendedKey;
  }

  toJSON(): { path: string; publicKey: string } {
    return { path: this.path, publicKey: this.publicKey.toString('hex') };
  }

  toString(): string {
    return `DerivedKey(${this.path}, ${this.publicKey.toString('hex')})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * The BIP32 master of the node seed, bound to one chain. Hands out derived keys; never shows the
 * master itself in logs or JSON (the underlying `HDKey` serialises its xprv by default).
 */
export class KeyRing {
  readonly #master: HDKey;
  /** The chain the node and wallet paths are computed for. */
  readonly chain: BitcoinChain;

  private constructor(master: HDKey, chain: BitcoinChain) {
    this.#master = master;
    this.chain = chain;
  }

  /** BIP32 master from a 16..64-byte seed (the node seed is 32 bytes). */
  static fromSeed(seed: Uint8Array, chain: BitcoinChain): KeyRing {
    checkChain(chain);
    if (seed.length < 16 || seed.length > 64) {
      throw new IdentityError('IDENTITY_SEED_CORRUPT', `a BIP32 seed is 16 to 64 bytes, got ${seed.length}`, {
        size: seed.length,
      });
    }
    const versions = chain === 'mainnet' ? VERSIONS.mainnet : VERSIONS.test;
    return new KeyRing(HDKey.fromMasterSeed(seed, versions), chain);
  }

  /** The key at a BIP32 `path` (see {@link parseKeyPath}). */
  deriveKey(path: string): DerivedKey {
    let hd = this.#master;
    for (const index of parseKeyPath(path)) hd = hd.deriveChild(index);
    return new DerivedKey(hd, path);
  }

  /** The node key at {@link nodeKeyPath} for this ring's chain. */
  nodeKey(): NodeKey {
    const path = nodeKeyPath(this.chain);
    return NodeKey.fromPrivateKey(this.deriveKey(path).privateKey, `seed:${path}`);
  }

  /** A BIP84 P2WPKH key of the on-chain wallet, at {@link walletKeyPath}. */
  deriveWalletKey(account: number, change: 0 | 1, index: number): DerivedKey {
    return this.deriveKey(walletKeyPath(this.chain, account, change, index));
  }

  toJSON(): { chain: BitcoinChain } {
    return { chain: this.chain };
  }

  toString(): string {
    return `KeyRing(${this.chain})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The node key of `seed` on `chain`: `KeyRing.fromSeed(seed, chain).nodeKey()`. */
export function deriveNodeKey(seed: Uint8Array, chain: BitcoinChain): NodeKey {
  return KeyRing.fromSeed(seed, chain).nodeKey();
}
