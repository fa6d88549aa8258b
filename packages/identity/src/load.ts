import { IdentityError } from './errors.js';
import { type NodeKey, parsePublicKeyHex } from './node-key.js';
import { type AwsSmKeyOptions, loadAwsSmKey } from './providers/aws-sm.js';
import { type EnvKeyOptions, loadEnvKey, loadSeedKey, type SeedKeyOptions } from './providers/local.js';

/** Names of the key providers (`front.priv-key-provider`). */
export type KeyProviderName = 'seed' | 'env' | 'aws-sm';

/** The public key the loaded key must have (`NODE_PUB_KEY`, required on a frontend). */
export interface ExpectedPubKey {
  /** 33-byte compressed public key, or its 66 hex characters. */
  expectedPubKey: string | Uint8Array;
}

/** Options of {@link loadNodeKey}: the provider's own options plus the expected public key. */
export type LoadNodeKeyOptions =
  | ({ provider: 'seed' } & SeedKeyOptions & ExpectedPubKey)
  | ({ provider: 'env' } & EnvKeyOptions & ExpectedPubKey)
  | ({ provider: 'aws-sm' } & AwsSmKeyOptions & ExpectedPubKey);

function expectedKeyBytes(expected: string | Uint8Array | undefined | null): Buffer {
  if (
    expected === undefined ||
    expected === null ||
    (typeof expected === 'string' && expected.trim() === '')
  ) {
    throw new IdentityError(
      'IDENTITY_BAD_OPTIONS',
      'NODE_PUB_KEY (front.pub-key) is required: set it to the node id the backend logs at start',
    );
  }
  if (typeof expected === 'string') return parsePublicKeyHex(expected, 'NODE_PUB_KEY');
  return parsePublicKeyHex(Buffer.from(expected).toString('hex'), 'NODE_PUB_KEY');
}

/**
 * Throws `IDENTITY_KEY_MISMATCH` unless `key` has the public key `expected`. The message names
 * both public keys (and the key's source), never the private key.
 */
export function assertNodeKeyMatches(key: NodeKey, expected: string | Uint8Array): NodeKey {
  const want = expectedKeyBytes(expected);
  if (!key.publicKey.equals(want)) {
    const wantHex = want.toString('hex');
    throw new IdentityError(
      'IDENTITY_KEY_MISMATCH',
      `node key from ${key.source} has public key ${key.nodeId} but NODE_PUB_KEY is ${wantHex}: refusing to start (a frontend must hold the backend's node key)`,
      { source: key.source, actual: key.nodeId, expected: wantHex },
    );
  }
  return key;
}

/**
 * A frontend's start: gets the node key from the configured provider and checks it against
 * `expectedPubKey`. Throws {@link IdentityError}: bad options, provider failures, `IDENTITY_BAD_KEY`
 * or `IDENTITY_KEY_MISMATCH`.
 */
export async function loadNodeKey(options: LoadNodeKeyOptions): Promise<NodeKey> {
  // Checked first so a missing or malformed NODE_PUB_KEY fails before any secret is fetched.
  expectedKeyBytes(options.expectedPubKey);
  let key: NodeKey;
  switch (options.provider) {
    case 'seed':
      key = await loadSeedKey(options);
      break;
    case 'env':
      key = await loadEnvKey(options);
      break;
    case 'aws-sm':
      key = await loadAwsSmKey(options);
      break;
    default: {
      const provider = String((options as { provider: unknown }).provider);
      throw new IdentityError(
        'IDENTITY_BAD_OPTIONS',
        `unknown key provider "${provider}" (seed, env, aws-sm)`,
        {
          provider,
        },
      );
    }
  }
  return assertNodeKeyMatches(key, options.expectedPubKey);
}
