import { p2wpkhAddress, p2wpkhScript } from './address.js';
import type { KeyChain, WalletKey, WalletKeys } from './keys.js';
import type { KeyPath, WalletNetwork } from './types.js';

/**
 * The wallet's P2WPKH scripts on both chains, derived ahead of use: on each chain every index below
 * `max(next unused, last seen + 1) + gapLimit` is watched (BIP44 "Address gap limit"), so a
 * rescan from the seed alone finds every coin as long as no more than `gapLimit` addresses in a
 * row went unused.
 */
export class AddressBook {
  readonly #keys: WalletKeys;
  readonly #network: WalletNetwork;
  readonly #gapLimit: number;
  readonly #byScript = new Map<string, KeyPath>();
  readonly #derived: [WalletKey[], WalletKey[]] = [[], []];
  readonly #next: [number, number];
  readonly #lastUsed: [number, number] = [-1, -1];

  constructor(
    keys: WalletKeys,
    network: WalletNetwork,
    gapLimit: number,
    next: { receive: number; change: number },
  ) {
    this.#keys = keys;
    this.#network = network;
    this.#gapLimit = gapLimit;
    this.#next = [next.receive, next.change];
    this.#extend(0);
    this.#extend(1);
  }

  /** Next unused indexes (what persistence keeps). */
  get nextIndex(): { receive: number; change: number } {
    return { receive: this.#next[0], change: this.#next[1] };
  }

  /** Number of scripts currently watched (both chains). */
  get watched(): number {
    return this.#byScript.size;
  }

  lookup(scriptHex: string): KeyPath | undefined {
    return this.#byScript.get(scriptHex);
  }

  key(path: KeyPath): WalletKey {
    return this.#derived[path.change][path.index] ?? this.#keys.derive(path.change, path.index);
  }

  /** Hands out the next unused index of `change` and moves past it. */
  take(change: KeyChain): { path: KeyPath; script: Uint8Array; address: string } {
    const index = this.#next[change]++;
    this.#extend(change);
    const key = this.key({ change, index });
    return {
      path: { change, index },
      script: p2wpkhScript(key.publicKey),
      address: p2wpkhAddress(key.publicKey, this.#network),
    };
  }

  /** Records that `path` received coins; returns true when new scripts had to be derived. */
  markUsed(path: KeyPath): boolean {
    const c = path.change;
    if (path.index <= this.#lastUsed[c]) return false;
    this.#lastUsed[c] = path.index;
    if (this.#next[c] <= path.index) this.#next[c] = path.index + 1;
    return this.#extend(c);
  }

  #extend(change: KeyChain): boolean {
    const keys = this.#derived[change];
    const want = Math.max(this.#next[change], this.#lastUsed[change] + 1) + this.#gapLimit;
    const before = keys.length;
    while (keys.length < want) {
      const key = this.#keys.derive(change, keys.length);
      this.#byScript.set(Buffer.from(p2wpkhScript(key.publicKey)).toString('hex'), {
        change,
        index: keys.length,
      });
      keys.push(key);
    }
    return keys.length > before;
  }
}
