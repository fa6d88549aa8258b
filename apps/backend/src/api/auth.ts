import { createHash, timingSafeEqual } from 'node:crypto';

/** Realm of the `WWW-Authenticate` challenge (Eclair's). */
export const AUTH_REALM = 'Access restricted';

/** Outcome of checking a request's `Authorization` header. */
export type AuthResult = 'ok' | 'missing' | 'invalid';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Checks HTTP basic auth (RFC 7617) against the API password. As in Eclair, only the password
 * counts: the user name is ignored (Eclair's docs send an empty one, eclair-cli sends
 * `eclair-cli`). Both sides are hashed first so the comparison takes the same time whatever the
 * lengths, and `timingSafeEqual` compares the digests in constant time.
 */
export function createBasicAuth(password: string): (header: string | undefined) => AuthResult {
  const expected = digest(password);
  return (header) => {
    if (header === undefined) return 'missing';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!m) return 'invalid';
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'invalid';
    return timingSafeEqual(digest(decoded.slice(colon + 1)), expected) ? 'ok' : 'invalid';
  };
}
