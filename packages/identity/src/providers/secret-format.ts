import { IdentityError } from '../errors.js';
import { parsePrivateKeyHex } from '../node-key.js';

/** JSON field that may hold the key in a structured secret. */
export const SECRET_JSON_FIELD = 'nodePrivKey';

/**
 * Extracts the node private key from a Secrets Manager secret. Accepted formats:
 * - `SecretString` = 64 hex characters (white space around them ignored);
 * - `SecretString` = JSON object `{"nodePrivKey": "<64 hex>"}` (other fields ignored);
 * - `SecretBinary` = the 32 raw bytes.
 * Errors name the secret id and the format problem, never the secret's content.
 */
export function privateKeyFromSecret(
  secretId: string,
  secretString: string | undefined,
  secretBinary: Uint8Array | undefined,
): Buffer {
  const what = `AWS Secrets Manager secret "${secretId}"`;
  if (secretString !== undefined) {
    const trimmed = secretString.trim();
    if (!trimmed.startsWith('{')) return parsePrivateKeyHex(trimmed, what);
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      // The parser's message quotes the input: keep it (and so the cause) out of the error.
      throw new IdentityError('IDENTITY_BAD_KEY', `${what} looks like JSON but does not parse`, { secretId });
    }
    const field =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>)[SECRET_JSON_FIELD]
        : undefined;
    if (typeof field !== 'string') {
      throw new IdentityError(
        'IDENTITY_BAD_KEY',
        `${what} is JSON without a string field "${SECRET_JSON_FIELD}"`,
        {
          secretId,
        },
      );
    }
    return parsePrivateKeyHex(field, `${what} field ${SECRET_JSON_FIELD}`);
  }
  if (secretBinary !== undefined) {
    if (secretBinary.length !== 32) {
      throw new IdentityError(
        'IDENTITY_BAD_KEY',
        `${what} SecretBinary must be the 32-byte private key, got ${secretBinary.length} bytes`,
        { secretId, length: secretBinary.length },
      );
    }
    return Buffer.from(secretBinary);
  }
  throw new IdentityError('IDENTITY_BAD_KEY', `${what} has neither SecretString nor SecretBinary`, {
    secretId,
  });
}
