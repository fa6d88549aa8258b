import type { Address } from '@shoal/wire';

/**
 * BOLT 7 `node_announcement` receiver rules on `addresses`: the addresses worth connecting to.
 * Port 0 entries are ignored, Tor v2 is ignored, descriptors of unknown types are kept in the
 * announcement but cannot be used, and only the first DNS hostname counts.
 */
export function connectableAddresses(addresses: readonly Address[]): Address[] {
  const out: Address[] = [];
  let dns = false;
  for (const a of addresses) {
    if (a.type === 'unknown' || a.type === 'torv2' || a.port === 0) continue;
    if (a.type === 'dns') {
      if (dns) continue;
      dns = true;
    }
    out.push(a);
  }
  return out;
}
