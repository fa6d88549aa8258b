import { secp256k1 } from '@shoal/crypto';
import { type Address, parseAddress, WireError } from '@shoal/wire';
import { ApiError } from './errors.js';

/** BOLT 1 has no default port, but every implementation (and Eclair's API) uses 9735. */
export const DEFAULT_LIGHTNING_PORT = 9735;
/** Largest amount accepted anywhere: a u64 (BOLT 1 `u64` fields). */
const U64_MAX = (1n << 64n) - 1n;

/** A 400 naming `name` as missing (Eclair's wording, so tools matching it keep working). */
export function missingParam(name: string): ApiError {
  return new ApiError('API_MISSING_PARAM', `Request is missing required form field '${name}'`, {
    param: name,
  });
}

/** A 400 naming `name` as malformed; `why` must not echo a secret. */
export function badParam(name: string, why: string): ApiError {
  return new ApiError('API_BAD_PARAM', `The form field '${name}' was malformed:\n${why}`, { param: name });
}

/** A parsed `nodeId@host:port`. */
export interface NodeUri {
  nodeId: Uint8Array;
  address: Address;
}

/** Parses a 33-byte compressed public key in hex (BOLT 1/8 node ids); the point must be on the curve. */
export function parsePublicKey(name: string, text: string): Uint8Array {
  if (!/^[0-9a-fA-F]{66}$/.test(text)) throw badParam(name, 'expected 33 bytes in hex (66 characters)');
  const key = Buffer.from(text, 'hex');
  if ((key[0] !== 2 && key[0] !== 3) || !secp256k1.isPublicKey(key)) {
    throw badParam(name, 'not a valid compressed secp256k1 public key');
  }
  return key;
}

/** Parses `host:port`, `[ipv6]:port`, `<onion>.onion:port` or `host` (default port 9735). */
export function parseHostPort(name: string, text: string): Address {
  let address: Address;
  try {
    address = parseAddress(text, DEFAULT_LIGHTNING_PORT);
  } catch (err) {
    if (err instanceof WireError) throw badParam(name, err.message);
    throw err;
  }
  if (address.type !== 'unknown' && address.port === 0) throw badParam(name, 'port 0');
  return address;
}

/** Parses Eclair's node URI `nodeId@host[:port]`; IPv6 hosts go in brackets. */
export function parseNodeUri(name: string, text: string): NodeUri {
  const at = text.indexOf('@');
  if (at < 0) throw badParam(name, "expected 'nodeId@host:port'");
  const nodeId = parsePublicKey(name, text.slice(0, at));
  return { nodeId, address: parseHostPort(name, text.slice(at + 1)) };
}

/** Parses a decimal integer within `[min, max]` (no sign for non-negatives, no exponent, no decimals). */
export function parseInteger(name: string, text: string, min: number, max: number): number {
  if (!/^-?\d{1,16}$/.test(text)) throw badParam(name, 'expected an integer');
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw badParam(name, `expected an integer in [${min}, ${max}]`);
  return n;
}

/** Parses a non-negative amount (msat or sat) as bigint, at most a u64. */
export function parseAmount(name: string, text: string): bigint {
  if (!/^\d{1,20}$/.test(text)) throw badParam(name, 'expected a non-negative integer amount');
  const n = BigInt(text);
  if (n > U64_MAX) throw badParam(name, 'amount too large');
  return n;
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/** Parses a boolean as Eclair (akka-http) does: true/yes/on/1 and false/no/off/0, any case. */
export function parseBoolean(name: string, text: string): boolean {
  const t = text.toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  throw badParam(name, "expected 'true' or 'false'");
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses a duration in seconds (Eclair's `timeoutSeconds` form), or with a unit: `90s`, `5m`, `2h`, `1d`. Returns milliseconds. */
export function parseDurationMs(name: string, text: string, maxSeconds = 365 * 86400): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text);
  if (!m) throw badParam(name, "expected a duration in seconds, e.g. '30' or '30s', '5m', '2h'");
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2] || 's']!;
  if (seconds > maxSeconds) throw badParam(name, `duration above ${maxSeconds} seconds`);
  return seconds * 1000;
}

/** Parses hex bytes, optionally of an exact length (e.g. 32 for a channel id or payment hash). */
export function parseHex(name: string, text: string, length?: number): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw badParam(name, 'expected hex');
  if (length !== undefined && text.length !== length * 2)
    throw badParam(name, `expected ${length} bytes in hex`);
  return Buffer.from(text, 'hex');
}

/**
 * The form fields of one request with typed accessors; each throws a 400 {@link ApiError} naming
 * the field. Fields the call does not read are ignored, as Eclair does.
 */
export class FormParams {
  constructor(private readonly fields: ReadonlyMap<string, string>) {}

  has(name: string): boolean {
    return this.fields.has(name);
  }

  /** Every field, for handlers that parse their own (see `formCall`). */
  all(): Readonly<Record<string, string>> {
    // No prototype: a missing `constructor` or `toString` field reads as undefined.
    const out: Record<string, string> = Object.create(null);
    for (const [k, v] of this.fields) out[k] = v;
    return out;
  }

  optionalString(name: string): string | undefined {
    return this.fields.get(name);
  }

  string(name: string): string {
    const v = this.fields.get(name);
    if (v === undefined) throw missingParam(name);
    return v;
  }

  private opt<T>(name: string, parse: (name: string, text: string) => T): T | undefined {
    const v = this.fields.get(name);
    return v === undefined ? undefined : parse(name, v);
  }

  publicKey(name: string): Uint8Array {
    return parsePublicKey(name, this.string(name));
  }
  optionalPublicKey(name: string): Uint8Array | undefined {
    return this.opt(name, parsePublicKey);
  }
  nodeUri(name: string): NodeUri {
    return parseNodeUri(name, this.string(name));
  }
  int(name: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    return parseInteger(name, this.string(name), min, max);
  }
  optionalInt(
    name: string,
    min = -Number.MAX_SAFE_INTEGER,
    max = Number.MAX_SAFE_INTEGER,
  ): number | undefined {
    return this.opt(name, (n, t) => parseInteger(n, t, min, max));
  }
  amount(name: string): bigint {
    return parseAmount(name, this.string(name));
  }
  optionalAmount(name: string): bigint | undefined {
    return this.opt(name, parseAmount);
  }
  optionalBoolean(name: string): boolean | undefined {
    return this.opt(name, parseBoolean);
  }
  optionalDurationMs(name: string, maxSeconds?: number): number | undefined {
    return this.opt(name, (n, t) => parseDurationMs(n, t, maxSeconds));
  }
  hex(name: string, length?: number): Uint8Array {
    return parseHex(name, this.string(name), length);
  }
}
