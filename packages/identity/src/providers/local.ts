import { type BitcoinChain, KeyRing } from '../derivation.js';
import { IdentityError } from '../errors.js';
import { NodeKey, parsePrivateKeyHex } from '../node-key.js';
import { readNodeSeed } from '../seed.js';

/** Options of the `seed` provider. */
export interface SeedKeyOptions {
  /** Directory holding `node_seed.dat` (a copy of the backend's). */
  datadir: string;
  /** Chain the node key path is chosen for; must be the backend's. */
  chain: BitcoinChain;
}

/** Options of the `env` provider. */
export interface EnvKeyOptions {
  /** The key as 64 hex characters (config `front.priv-key`); unset reads `env.NODE_PRIV_KEY`. */
  privKey?: string | null;
  /** Environment to read `NODE_PRIV_KEY` from; defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The `seed` provider: reads (never creates) the seed and derives the node key as the backend does. */
export async function loadSeedKey(options: SeedKeyOptions): Promise<NodeKey> {
  const seed = await readNodeSeed(options.datadir);
  try {
    return KeyRing.fromSeed(seed, options.chain).nodeKey();
  } finally {
    seed.fill(0);
  }
}

/** The `env` provider: `privKey`, else `NODE_PRIV_KEY` (64 hex characters). */
export async function loadEnvKey(options: EnvKeyOptions = {}): Promise<NodeKey> {
  const text = options.privKey ?? (options.env ?? process.env).NODE_PRIV_KEY;
  if (text === undefined || text === null || text.trim() === '') {
    throw new IdentityError(
      'IDENTITY_BAD_OPTIONS',
      'priv-key-provider = env but NODE_PRIV_KEY (front.priv-key) is not set',
      { provider: 'env' },
    );
  }
  const priv = parsePrivateKeyHex(text, 'NODE_PRIV_KEY');
  try {
    return NodeKey.fromPrivateKey(priv, 'env');
  } finally {
    priv.fill(0);
  }
}
