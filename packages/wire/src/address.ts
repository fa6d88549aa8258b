import { WireError } from './errors.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';

/** BOLT 7 `address descriptor` (as in `node_announcement` and the BOLT 1 `remote_addr` TLV). */
export type Address =
  | { type: 'ipv4'; addr: Uint8Array; port: number }
  | { type: 'ipv6'; addr: Uint8Array; port: number }
  /** Type 3, deprecated: kept so a relayed announcement re-encodes byte for byte. */
  | { type: 'torv2'; addr: Uint8Array; port: number }
  /** `addr` is the 35-byte `pubkey || checksum || version`. */
  | { type: 'torv3'; addr: Uint8Array; port: number }
  | { type: 'dns'; hostname: string; port: number }
  /**
   * A descriptor of an unknown type: its length cannot be known, so it and every byte after it
   * are kept raw (BOLT 7: "SHOULD ignore the first address descriptor that does NOT match").
   */
  | { type: 'unknown'; descriptorType: number; data: Uint8Array };

const FIXED: Record<number, ['ipv4' | 'ipv6' | 'torv2' | 'torv3', number]> = {
  1: ['ipv4', 4],
  2: ['ipv6', 16],
  3: ['torv2', 10],
  4: ['torv3', 35],
};
const CODE = { ipv4: 1, ipv6: 2, torv2: 3, torv3: 4, dns: 5 } as const;

function isAscii(b: Uint8Array): boolean {
  for (const c of b) if (c > 0x7f) return false;
  return true;
}

function readOne(r: Reader): Address {
  const code = r.u8('address.type');
  try {
    const fixed = FIXED[code];
    if (fixed) return { type: fixed[0], addr: r.bytes(fixed[1], 'address'), port: r.u16('address.port') };
    if (code === 5) {
      const host = r.bytes(r.u8('hostname_len'), 'hostname');
      if (!isAscii(host))
        throw new WireError('WIRE_BAD_ADDRESS', 'DNS hostname is not ASCII', { type: code });
      return { type: 'dns', hostname: new TextDecoder().decode(host), port: r.u16('address.port') };
    }
  } catch (e) {
    if (e instanceof WireError && e.code === 'WIRE_TRUNCATED') {
      throw new WireError(
        'WIRE_BAD_ADDRESS',
        `address descriptor type ${code} is truncated`,
        { type: code },
        {
          cause: e,
        },
      );
    }
    throw e;
  }
  return { type: 'unknown', descriptorType: code, data: r.rest() };
}

/** BOLT 7 `node_announcement` `addresses`: descriptors until the bytes end or an unknown type. */
export function decodeAddresses(bytes: Uint8Array): Address[] {
  const r = new Reader(bytes);
  const out: Address[] = [];
  while (r.remaining > 0) out.push(readOne(r));
  return out;
}

/** A single descriptor filling `bytes` exactly (BOLT 1 `init` `remote_addr`). */
export function decodeAddress(r: Reader): Address {
  const a = readOne(r);
  r.end('remote_addr');
  return a;
}

/** Writes one descriptor; an `unknown` one must be the last. */
export function encodeAddress(w: Writer, a: Address): void {
  switch (a.type) {
    case 'ipv4':
    case 'ipv6':
    case 'torv2':
    case 'torv3': {
      const code = CODE[a.type];
      w.u8(code).fixed(a.addr, FIXED[code]![1], a.type).u16(a.port, 'port');
      return;
    }
    case 'dns': {
      const host = new TextEncoder().encode(a.hostname);
      if (host.length > 255 || !isAscii(host)) {
        throw new WireError('WIRE_BAD_ADDRESS', 'DNS hostname must be ASCII, at most 255 bytes', {
          length: host.length,
        });
      }
      w.u8(5).u8(host.length).bytes(host).u16(a.port, 'port');
      return;
    }
    case 'unknown':
      w.u8(a.descriptorType, 'address.type').bytes(a.data);
      return;
  }
}

/** BOLT 7 `addresses` field contents (without the `addrlen` prefix). */
export function encodeAddresses(addresses: readonly Address[]): Uint8Array {
  const w = new Writer(64);
  addresses.forEach((a, i) => {
    if (a.type === 'unknown' && i !== addresses.length - 1) {
      throw new WireError('WIRE_BAD_ADDRESS', 'an unknown address descriptor must be the last', { index: i });
    }
    encodeAddress(w, a);
  });
  return w.finish();
}
