import { inspect } from 'node:util';
import { secp256k1 } from '@shoal/crypto';
import { IdentityError } from './errors.js';

const HEX_64 = /^[0-9a-fA-F]{64}$/;
const HEX_66 = /^[0-9a-fA-F]{66}$/;

/** What {@link NodeKey.toJSON} shows: the public half only. */
export interface NodeKeyJSON {
  nodeId: string;
  source: string;
}

/**
 * The node's secp256k1 key pair (BOLT 8 static key `ls`, BOLT 7 node id). The private key is
 * reachable only through {@link NodeKey.privateKey}; `JSON.stringify`, `util.inspect` and
 * template strings show the node id alone, so a logged object never leaks it.
 */
export class NodeKey {
  readonly #privateKey: Buffer;
  /** 33-byte compressed public key: the node id. */
  readonly publicKey: Buffer;
  /** Where the key came from (`seed`, `env`, `aws-sm`, or a derivation path). */
  readonly source: string;

  private constructor(privateKey: Buffer, publicKey: Buffer, source: string) {
    this.#privateKey = privateKey;
    this.publicKey = publicKey;
    this.source = source;
  }

  /** Wraps a 32-byte private key; throws `IDENTITY_BAD_KEY` when it is not a valid scalar. */
  static fromPrivateKey(privateKey: Uint8Array, source: string): NodeKey {
    if (privateKey.length !== 32 || !secp256k1.isPrivateKey(privateKey)) {
      throw new IdentityError(
        'IDENTITY_BAD_KEY',
        `node private key from ${source} is not a valid secp256k1 private key (expected 32 bytes in [1, n-1], got ${privateKey.length} bytes)`,
        { source, length: privateKey.length },
      );
    }
    const copy = Buffer.from(privateKey);
    return new NodeKey(copy, secp256k1.publicKeyCreate(copy), source);
  }

  /** The 32-byte private key. A copy: the caller may wipe it after use. */
  get privateKey(): Buffer {
    return Buffer.from(this.#privateKey);
  }

  /** The node id as 66 lower-case hex characters (for logs and config). */
  get nodeId(): string {
    return this.publicKey.toString('hex');
  }

  toJSON(): NodeKeyJSON {
    return { nodeId: this.nodeId, source: this.source };
  }

  toString(): string {
    return `NodeKey(${this.nodeId})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Parses a hex private key (64 hex characters, surrounding white space ignored). The error names
 * `what` and the length, never the text itself, since a near-miss is still most of a secret.
 */
export function parsePrivateKeyHex(text: string, what: string): Buffer {
  const trimmed = text.trim();
  if (!HEX_64.test(trimmed)) {
    throw new IdentityError(
      'IDENTITY_BAD_KEY',
      `${what} must be a private key of 64 hex characters (got ${trimmed.length} characters${/^[0-9a-fA-F]*$/.test(trimmed) ? '' : ', not all hex'})`,
      { source: what, length: trimmed.length },
    );
  }
  return Buffer.from(trimmed, 'hex');
}

/** Parses and validates a 33-byte compressed public key given as 66 hex characters. */
export function parsePublicKeyHex(text: string, what: string): Buffer {
  const trimmed = text.trim();
  const bytes = HEX_66.test(trimmed) ? Buffer.from(trimmed, 'hex') : undefined;
  if (!bytes) {
    // Not echoed: a private key pasted here by mistake must not reach a log.
    throw new IdentityError(
      'IDENTITY_BAD_KEY',
      `${what} must be a compressed secp256k1 public key of 66 hex characters (got ${trimmed.length} characters)`,
      { source: what, length: trimmed.length },
    );
  }
  if (!secp256k1.isPublicKey(bytes)) {
    throw new IdentityError('IDENTITY_BAD_KEY', `${what} ${trimmed} is not a point on secp256k1`, {
      source: what,
      value: trimmed,
    });
  }
  return bytes;
}
