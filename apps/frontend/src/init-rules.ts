import { isIP } from 'node:net';
import { type Address, encodeMessage, Features, type InitMessage, initFeatures } from '@shoal/wire';

/** BOLT 1 `init` sending rules: our features, `networks`, and `remote_addr` for a public peer IP. */
export function buildInit(
  features: Uint8Array,
  chainHashes: Uint8Array[],
  remote: RemoteEndpoint,
): Uint8Array {
  const remoteAddr = remoteAddrTlv(remote);
  const init: InitMessage = {
    type: 'init',
    // BOLT 1: SHOULD NOT set features greater than 13 in globalfeatures; everything goes in features.
    globalFeatures: new Uint8Array(0),
    features: Features.fromBytes(features).toBytes(),
    tlvs: { networks: chainHashes, ...(remoteAddr === undefined ? {} : { remoteAddr }), unknown: [] },
  };
  return encodeMessage(init);
}

/** The far end of a TCP connection as the frontend sees it. */
export interface RemoteEndpoint {
  host: string;
  port: number;
}

/**
 * BOLT 1 `init`: "SHOULD set `remote_addr` ... if the node is the receiver and the connection was
 * done via IP" and "SHOULD NOT set private addresses".
 */
export function remoteAddrTlv(remote: RemoteEndpoint): Address | undefined {
  const host =
    remote.host.startsWith('::ffff:') && isIP(remote.host.slice(7)) === 4
      ? remote.host.slice(7)
      : remote.host;
  const kind = isIP(host);
  if (kind === 4) {
    const b = host.split('.').map(Number);
    if (isPrivateV4(b)) return undefined;
    return { type: 'ipv4', addr: Uint8Array.from(b), port: remote.port };
  }
  if (kind === 6) {
    const bytes = ipv6Bytes(host);
    if (bytes === undefined || isPrivateV6(bytes)) return undefined;
    return { type: 'ipv6', addr: bytes, port: remote.port };
  }
  return undefined;
}

function isPrivateV4(b: number[]): boolean {
  const [a = 0, c = 0] = b;
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && c >= 64 && c < 128) ||
    (a === 169 && c === 254) ||
    (a === 172 && c >= 16 && c < 32) ||
    (a === 192 && c === 168) ||
    a >= 224
  );
}

function isPrivateV6(b: Uint8Array): boolean {
  const allZeroButLast = b.subarray(0, 15).every((x) => x === 0);
  if (allZeroButLast && (b[15] === 0 || b[15] === 1)) return true; // :: and ::1
  if ((b[0]! & 0xfe) === 0xfc) return true; // fc00::/7 unique local
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return true; // fe80::/10 link local
  return b[0] === 0xff; // multicast
}

function ipv6Bytes(host: string): Uint8Array | undefined {
  const [head = '', tail] = host.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  if (tail === undefined && h.length !== 8) return undefined;
  const groups = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff))
    return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Why a peer's `init` is refused; `undefined` when it is acceptable. */
export interface InitRefusal {
  reason: string;
}

/**
 * BOLT 1 `init` receiving rules and BOLT 9 compatibility: unknown even feature bits, compulsory
 * features we do not offer, missing transitive dependencies, our compulsory features the peer
 * lacks, and `networks` without a common chain (closing is the spec's MAY; we close, as Eclair does).
 */
export function checkRemoteInit(
  remote: InitMessage,
  ourFeatures: Uint8Array,
  ourChains: readonly Uint8Array[],
): InitRefusal | undefined {
  const theirs = initFeatures(remote);
  const ours = Features.fromBytes(ourFeatures);
  const unknownEven = theirs.unknownCompulsoryBits();
  if (unknownEven.length > 0) return { reason: `unknown compulsory feature bits ${unknownEven.join(', ')}` };
  const unsupported = theirs.known().filter((n) => theirs.requires(n) && !ours.has(n));
  if (unsupported.length > 0)
    return { reason: `compulsory features we do not support: ${unsupported.join(', ')}` };
  const missing = theirs.missingDependencies();
  if (missing.length > 0) {
    return {
      reason: `missing feature dependencies: ${missing.map((m) => `${m.feature} needs ${m.missing}`).join(', ')}`,
    };
  }
  const lacking = ours.known().filter((n) => ours.requires(n) && !theirs.has(n));
  if (lacking.length > 0) return { reason: `peer lacks our compulsory features: ${lacking.join(', ')}` };
  const networks = remote.tlvs.networks;
  if (networks !== undefined && ourChains.length > 0) {
    const common = networks.some((c) => ourChains.some((o) => Buffer.from(o).equals(Buffer.from(c))));
    if (!common) {
      const list = networks.map((c) => Buffer.from(c).toString('hex')).join(', ') || 'none';
      return { reason: `no common network: peer offers ${list}` };
    }
  }
  return undefined;
}
