import type { Address } from './address.js';
import { WireError } from './errors.js';

// Text forms of BOLT 7 address descriptors, for the edges (config, API, logs):
// `1.2.3.4:9735`, `[2001:db8::1]:9735`, `<56 base32 chars>.onion:9735`, `host.example:9735`.

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function bad(text: string, why: string): WireError {
  return new WireError('WIRE_BAD_ADDRESS', `${JSON.stringify(text)}: ${why}`, { text });
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return bits > 0 ? out + BASE32[(acc << (5 - bits)) & 31] : out;
}

function unbase32(text: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const ch of text) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw bad(text, 'not base32');
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      if (n >= size) throw bad(text, 'onion address too long');
      out[n++] = (acc >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  if (n !== size || (acc & ((1 << bits) - 1)) !== 0) throw bad(text, 'onion address has the wrong length');
  return out;
}

function formatIpv6(addr: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((addr[i]! << 8) | addr[i + 1]!);
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255))
    return undefined;
  return Uint8Array.from(parts.map(Number));
}

function parseIpv6(text: string): Uint8Array {
  const halves = text.split('::');
  if (halves.length > 2) throw bad(text, 'more than one "::"');
  const groups = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    parts.forEach((p, i) => {
      const v4 = i === parts.length - 1 ? parseIpv4(p) : undefined;
      if (v4) out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(Number.parseInt(p, 16));
      else throw bad(text, 'not an IPv6 address');
    });
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) throw bad(text, 'wrong number of IPv6 groups');
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function parsePort(text: string, port: string): number {
  if (!/^\d{1,5}$/.test(port) || Number(port) > 0xffff) throw bad(text, 'bad port');
  return Number(port);
}

/** `host:port` text of a BOLT 7 address descriptor (`undefined` for an unknown descriptor type). */
export function formatAddress(a: Address): string | undefined {
  switch (a.type) {
    case 'ipv4':
      return `${a.addr.join('.')}:${a.port}`;
    case 'ipv6':
      return `[${formatIpv6(a.addr)}]:${a.port}`;
    case 'torv2':
    case 'torv3':
      return `${base32(a.addr)}.onion:${a.port}`;
    case 'dns':
      return `${a.hostname}:${a.port}`;
    case 'unknown':
      return undefined;
  }
}

/**
 * Parses `host:port` into a BOLT 7 address descriptor: IPv4, `[IPv6]`, Tor v2/v3 `.onion`, or
 * else a DNS hostname (ASCII, at most 255 bytes). `defaultPort` applies when the port is absent.
 */
export function parseAddress(text: string, defaultPort?: number): Address {
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
  } else {
    const i = text.lastIndexOf(':');
    if (i >= 0 && text.indexOf(':') !== i) throw bad(text, 'IPv6 addresses need brackets');
    host = i >= 0 ? text.slice(0, i) : text;
    portText = i >= 0 ? text.slice(i + 1) : undefined;
  }
  const port = portText === undefined ? defaultPort : parsePort(text, portText);
  if (port === undefined) throw bad(text, 'no port');
  if (v6) return { type: 'ipv6', addr: parseIpv6(host), port };
  const v4 = parseIpv4(host);
  if (v4) return { type: 'ipv4', addr: v4, port };
  const onion = /^([a-z2-7]+)\.onion$/.exec(host.toLowerCase());
  if (onion) {
    const label = onion[1]!;
    if (label.length === 56) return { type: 'torv3', addr: unbase32(label, 35), port };
    if (label.length === 16) return { type: 'torv2', addr: unbase32(label, 10), port };
    throw bad(text, 'onion address has the wrong length');
  }
  if (host.length === 0 || host.length > 255 || !/^[A-Za-z0-9.-]+$/.test(host))
    throw bad(text, 'bad hostname');
  return { type: 'dns', hostname: host, port };
}
