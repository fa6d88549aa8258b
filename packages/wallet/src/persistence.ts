import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WalletError } from './errors.js';

/**
 * What the wallet must remember across restarts. Everything else (coins, spends) is rebuilt by
 * rescanning the chain from `birthday` with the gap limit.
 */
export interface WalletState {
  /** Height of the first block that can hold a wallet transaction. */
  readonly birthday: number;
  /** Next unused index on the receive (0) and change (1) chains; never handed out twice. */
  readonly nextIndex: { readonly receive: number; readonly change: number };
}

/** Storage of {@link WalletState}; the store package can implement it later. */
export interface WalletPersistence {
  load(): Promise<WalletState | undefined>;
  save(state: WalletState): Promise<void>;
}

/** Keeps the state in memory (tests, throwaway wallets). */
export class MemoryWalletPersistence implements WalletPersistence {
  #state: WalletState | undefined;

  constructor(initial?: WalletState) {
    this.#state = initial;
  }

  async load(): Promise<WalletState | undefined> {
    return this.#state;
  }

  async save(state: WalletState): Promise<void> {
    this.#state = structuredClone(state);
  }
}

/** A JSON file, replaced atomically (write a temporary file, fsync, rename, fsync the directory). */
export class JsonFileWalletPersistence implements WalletPersistence {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async load(): Promise<WalletState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new WalletError(
        'WALLET_PERSISTENCE',
        `cannot read ${this.path}`,
        { path: this.path },
        { cause: error },
      );
    }
    return parseState(text, this.path);
  }

  async save(state: WalletState): Promise<void> {
    const dir = dirname(this.path);
    const temp = join(dir, `.wallet-${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(state, null, 2)}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.path);
      const dirHandle = await open(dir, 'r');
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    } catch (error) {
      throw new WalletError(
        'WALLET_PERSISTENCE',
        `cannot write ${this.path}`,
        { path: this.path },
        { cause: error },
      );
    }
  }
}

function parseState(text: string, path: string): WalletState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new WalletError('WALLET_PERSISTENCE', `${path} is not JSON`, { path }, { cause: error });
  }
  const v = value as { birthday?: unknown; nextIndex?: { receive?: unknown; change?: unknown } };
  const ok = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (!ok(v?.birthday) || !ok(v.nextIndex?.receive) || !ok(v.nextIndex?.change))
    throw new WalletError('WALLET_PERSISTENCE', `${path} is not a wallet state`, { path });
  return { birthday: v.birthday, nextIndex: { receive: v.nextIndex.receive, change: v.nextIndex.change } };
}
