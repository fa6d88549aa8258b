import { createECDH, ECDH } from 'node:crypto';
import { isIP } from 'node:net';

/** Result of parsing a raw value: the typed value, or why it was refused (never echoing the value). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * A value format: turns what a file, the environment or a flag gave (often a string) into a typed
 * value. `parse` is idempotent: parsing an already parsed value returns it unchanged, which lets
 * the same function serve as convict's validator.
 */
export interface Format<T> {
  /** Short human name, used in docs/configuration.md. */
  readonly label: string;
  parse(raw: unknown): Parsed<T>;
  /** Renders a value for docs and describe(). */
  show(value: T): string;
}

/** A `host:port` pair (IPv6 hosts without brackets). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason });
const showPlain = (v: unknown): string => String(v);

/** Strict boolean: only true/false/1/0/yes/no (any case); convict's own Boolean takes "0" as true. */
export function booleanFormat(): Format<boolean> {
  const map: Record<string, boolean> = {
    true: true,
    false: false,
    '1': true,
    '0': false,
    yes: true,
    no: false,
  };
  return {
    label: 'boolean (true/false/1/0/yes/no)',
    parse(raw) {
      if (typeof raw === 'boolean') return ok(raw);
      if (typeof raw === 'number' || typeof raw === 'string') {
        const v = map[String(raw).trim().toLowerCase()];
        if (v !== undefined) return ok(v);
      }
      return bad('must be a boolean: true, false, 1, 0, yes or no');
    },
    show: showPlain,
  };
}

/** Integer within bounds; rejects "12abc", "1.5", "" (which parseInt would accept or mangle). */
export function intFormat(opts: { min?: number; max?: number; label?: string } = {}): Format<number> {
  const min = opts.min ?? Number.MIN_SAFE_INTEGER;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  return {
    label:
      opts.label ?? `integer${opts.min !== undefined || opts.max !== undefined ? ` ${min}..${max}` : ''}`,
    parse(raw) {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw)) n = Number(raw);
      else return bad(`must be an integer`);
      if (!Number.isSafeInteger(n)) return bad('must be an integer');
      if (n < min || n > max) return bad(`must be between ${min} and ${max}`);
      return ok(n);
    },
    show: showPlain,
  };
}

/** TCP port; `allowZero` lets a listener ask the OS for an ephemeral port (tests). */
export function portFormat(opts: { allowZero?: boolean } = {}): Format<number> {
  const min = opts.allowZero ? 0 : 1;
  return intFormat({ min, max: 65535, label: `port (${min}-65535)` });
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** Duration in milliseconds: a number (ms) or HOCON-style "500ms", "3s", "2 minutes", "1 h". */
export function durationFormat(): Format<number> {
  return {
    label: 'duration',
    parse(raw) {
      if (typeof raw === 'number') {
        return Number.isSafeInteger(raw) && raw >= 0
          ? ok(raw)
          : bad('must be a whole number of milliseconds >= 0');
      }
      if (typeof raw !== 'string') return bad('must be a duration such as 500ms, 3s or 2 minutes');
      const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
      const unit = m ? (m[2] ?? '').toLowerCase() : '';
      const mult = m ? (unit === '' ? 1 : DURATION_UNITS[unit]) : undefined;
      if (!m || mult === undefined) return bad('must be a duration such as 500ms, 3s or 2 minutes');
      const ms = Number(m[1]) * mult;
      if (!Number.isSafeInteger(ms)) return bad('must be a whole number of milliseconds');
      return ok(ms);
    },
    show: (v) => {
      if (v === 0 || v % 1000 !== 0) return `${v}ms`;
      if (v % 3_600_000 === 0) return `${v / 3_600_000}h`;
      if (v % 60_000 === 0) return `${v / 60_000}min`;
      return `${v / 1000}s`;
    },
  };
}

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function checkHost(raw: string): boolean {
  return isIP(raw) !== 0 || HOSTNAME.test(raw);
}

/** A host name (RFC 1123) or an IPv4/IPv6 address. */
export function hostFormat(): Format<string> {
  return {
    label: 'host (name or IP address)',
    parse(raw) {
      if (typeof raw !== 'string') return bad('must be a host name or an IP address');
      const s = raw.trim().replace(/^\[(.*)\]$/, '$1');
      return checkHost(s) ? ok(s) : bad('must be a host name or an IP address');
    },
    show: showPlain,
  };
}

/** A literal IPv4 or IPv6 address (binding addresses). */
export function ipFormat(): Format<string> {
  return {
    label: 'IP address',
    parse(raw) {
      if (typeof raw !== 'string') return bad('must be an IPv4 or IPv6 address');
      const s = raw.trim().replace(/^\[(.*)\]$/, '$1');
      return isIP(s) !== 0 ? ok(s) : bad('must be an IPv4 or IPv6 address');
    },
    show: showPlain,
  };
}

/** An absolute URL, optionally restricted to some protocols (without the colon). */
export function urlFormat(protocols?: readonly string[]): Format<string> {
  const what = protocols ? `a ${protocols.join('/')} URL` : 'an absolute URL';
  return {
    label: protocols ? `URL (${protocols.join(', ')})` : 'URL',
    parse(raw) {
      if (typeof raw !== 'string') return bad(`must be ${what}`);
      let u: URL;
      try {
        u = new URL(raw.trim());
      } catch {
        return bad(`must be ${what}`);
      }
      if (protocols && !protocols.includes(u.protocol.replace(/:$/, ''))) return bad(`must be ${what}`);
      return ok(raw.trim());
    },
    show: showPlain,
  };
}

/** Splits a list given as one string: "a,b", "[a, b]", '["a", "b"]'. */
export function splitList(raw: string): string[] {
  const inner = raw.trim().replace(/^\[(.*)\]$/s, '$1');
  if (inner.trim() === '') return [];
  return inner.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
}

function parseHostPort(s: string, defaultPort: number | undefined): HostPort | string {
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  let host: string;
  let port: string | undefined;
  if (v6) {
    host = v6[1] ?? '';
    port = v6[2];
  } else {
    const i = s.lastIndexOf(':');
    if (i >= 0 && s.indexOf(':') === i) {
      host = s.slice(0, i);
      port = s.slice(i + 1);
    } else if (i < 0) {
      host = s;
    } else {
      return 'an IPv6 address must be written in brackets: [::1]:9735';
    }
  }
  if (!checkHost(host)) return 'each entry must be host:port with a valid host';
  if (port === undefined) {
    if (defaultPort === undefined) return 'each entry must be host:port (the port is required)';
    return { host, port: defaultPort };
  }
  const p = portFormat().parse(port);
  if (!p.ok) return `each entry must be host:port with a port 1-65535`;
  return { host, port: p.value };
}

/** A list of host:port pairs ("a:1,b:2" or an array); `defaultPort` makes the port optional. */
export function hostPortListFormat(opts: { defaultPort?: number } = {}): Format<readonly HostPort[]> {
  return {
    label: `list of host${opts.defaultPort === undefined ? ':port' : `[:port] (default port ${opts.defaultPort})`}`,
    parse(raw) {
      const items: unknown[] | undefined =
        typeof raw === 'string' ? splitList(raw) : Array.isArray(raw) ? raw : undefined;
      if (!items) return bad('must be a list of host:port');
      const out: HostPort[] = [];
      for (const item of items) {
        if (typeof item === 'object' && item !== null && 'host' in item && 'port' in item) {
          const r = parseHostPort(`[${String(item.host)}]:${String(item.port)}`, undefined);
          if (typeof r === 'string') return bad(r);
          out.push(r);
        } else if (typeof item === 'string') {
          const r = parseHostPort(item.trim(), opts.defaultPort);
          if (typeof r === 'string') return bad(r);
          out.push(r);
        } else {
          return bad('must be a list of host:port');
        }
      }
      return ok(out);
    },
    show: (v) =>
      `[${v.map((h) => (h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`)).join(', ')}]`,
  };
}

/** A list of strings ("a,b" or an array), each matching `pattern` when given. */
export function stringListFormat(opts: { pattern?: RegExp; what?: string } = {}): Format<readonly string[]> {
  const what = opts.what ?? 'string';
  return {
    label: `list of ${what}`,
    parse(raw) {
      const items: unknown[] | undefined =
        typeof raw === 'string' ? splitList(raw) : Array.isArray(raw) ? raw : undefined;
      if (!items?.every((x): x is string => typeof x === 'string')) return bad(`must be a list of ${what}`);
      if (opts.pattern && !items.every((x) => opts.pattern?.test(x)))
        return bad(`each entry must be a ${what}`);
      return ok(items);
    },
    show: (v) => `[${v.join(', ')}]`,
  };
}

/** A string, optionally non-empty or matching a pattern (described by `what`). */
export function stringFormat(
  opts: { pattern?: RegExp; what?: string; nonEmpty?: boolean; maxBytes?: number } = {},
): Format<string> {
  const what = opts.what ?? 'string';
  return {
    label: what,
    parse(raw) {
      if (typeof raw === 'number' || typeof raw === 'boolean') raw = String(raw);
      if (typeof raw !== 'string') return bad(`must be a ${what}`);
      if (opts.nonEmpty && raw === '') return bad('must not be empty');
      if (opts.pattern && !opts.pattern.test(raw)) return bad(`must be a ${what}`);
      if (opts.maxBytes !== undefined && Buffer.byteLength(raw, 'utf8') > opts.maxBytes) {
        return bad(`must be at most ${opts.maxBytes} bytes in UTF-8`);
      }
      return ok(raw);
    },
    show: (v) => JSON.stringify(v),
  };
}

/** One of a fixed set of strings. */
export function enumFormat<const T extends string>(values: readonly T[]): Format<T> {
  return {
    label: `one of ${values.join(' | ')}`,
    parse(raw) {
      const s = typeof raw === 'string' ? raw.trim() : raw;
      return values.includes(s as T) ? ok(s as T) : bad(`must be one of ${values.join(', ')}`);
    },
    show: showPlain,
  };
}

/** A compressed secp256k1 public key, 33 bytes as 66 hex characters (checked to be on the curve). */
export function pubkeyHexFormat(): Format<string> {
  return {
    label: 'secp256k1 public key (33 bytes hex, compressed)',
    parse(raw) {
      if (typeof raw !== 'string' || !/^0[23][0-9a-f]{64}$/i.test(raw.trim())) {
        return bad('must be a compressed public key: 66 hex characters starting with 02 or 03');
      }
      const hex = raw.trim().toLowerCase();
      try {
        ECDH.convertKey(hex, 'secp256k1', 'hex', 'hex', 'compressed');
      } catch {
        return bad('is not a point on secp256k1');
      }
      return ok(hex);
    },
    show: showPlain,
  };
}

/** A secp256k1 private key, 32 bytes as 64 hex characters, in range 1..n-1. */
export function privkeyHexFormat(): Format<string> {
  return {
    label: 'secp256k1 private key (32 bytes hex)',
    parse(raw) {
      if (typeof raw !== 'string' || !/^[0-9a-f]{64}$/i.test(raw.trim())) {
        return bad('must be a private key: 64 hex characters');
      }
      const hex = raw.trim().toLowerCase();
      try {
        createECDH('secp256k1').setPrivateKey(hex, 'hex');
      } catch {
        return bad('is not a valid secp256k1 private key (zero or not below the curve order)');
      }
      return ok(hex);
    },
    show: showPlain,
  };
}
