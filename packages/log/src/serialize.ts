/**
 * Field names whose values are replaced by `<redacted>` whatever the caller passed (defence in
 * depth): the key, lower-cased without `-`, `_` and `.`, ends with one of these words, so
 * `rpcpassword`, `privKey`, `AKKA_TLS_PASSWORD` match and `seed-nodes`, `secret-id` do not.
 */
export const SECRET_KEY =
  /(password|passwd|passphrase|secret|privkey|privatekey|seed|token|cookie|authorization|credentials)$/;

/** True when `key` names a secret by {@link SECRET_KEY}. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[-_.]/g, ''));
}
export const REDACTED = '<redacted>';

const MAX_DEPTH = 6;
const MAX_STRING = 8192;

/** A plain JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** An error as logged: name, message, code, stack, the error's own JSON metadata, and its cause. */
function serializeError(e: Error, seen: WeakSet<object>, depth: number): Json {
  const out: { [key: string]: Json } = { name: e.name, message: e.message };
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  const toJSON = (e as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const meta = (toJSON.call(e) as { meta?: unknown }).meta;
    if (meta !== undefined) out.meta = toJson(meta, seen, depth + 1, 'meta');
  }
  if (e.stack) out.stack = e.stack;
  if (e.cause !== undefined) out.cause = toJson(e.cause, seen, depth + 1, 'cause');
  return out;
}

/**
 * Turns anything into JSON-safe data: bigint (msat amounts) as decimal strings, bytes as hex,
 * errors as {name, message, code, stack, meta, cause}, Map/Set as object/array, cycles cut, and
 * values under secret-looking keys redacted.
 */
export function toJson(v: unknown, seen: WeakSet<object> = new WeakSet(), depth = 0, key = ''): Json {
  if (key && isSecretKey(key) && v !== null && v !== undefined) return REDACTED;
  switch (typeof v) {
    case 'string':
      return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}...(${v.length} chars)` : v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'boolean':
      return v;
    case 'bigint':
      return v.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return null;
  }
  if (v === null) return null;
  const o = v as object;
  if (seen.has(o)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Object]';
  seen.add(o);
  try {
    if (o instanceof Error) return serializeError(o, seen, depth);
    if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString();
    if (o instanceof Uint8Array) return Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('hex');
    if (Array.isArray(o)) return o.map((x) => toJson(x, seen, depth + 1));
    if (o instanceof Set) return [...o].map((x) => toJson(x, seen, depth + 1));
    if (o instanceof Map) {
      const out: { [k: string]: Json } = {};
      for (const [k, x] of o) out[String(k)] = toJson(x, seen, depth + 1, String(k));
      return out;
    }
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(o)) {
      if (x === undefined || typeof x === 'function') continue;
      out[k] = toJson(x, seen, depth + 1, k);
    }
    return out;
  } finally {
    seen.delete(o);
  }
}
