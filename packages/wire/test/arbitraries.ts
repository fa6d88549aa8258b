import fc from 'fast-check';
import type { Address, TlvRecord } from '../src/index.js';

type Arb<T> = fc.Arbitrary<T>;

/** `fc.record` with ordinary prototypes, so decoded messages deep-equal generated ones. */
export function rec<T>(model: { [K in keyof T]: Arb<T[K]> }): Arb<T> {
  return fc.record(model, { noNullPrototype: true });
}

export const bytes = (n: number): Arb<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
export const varBytes = (max = 80): Arb<Uint8Array> => fc.uint8Array({ maxLength: max });
export const b32 = bytes(32);
export const sig = bytes(64);
export const point: Arb<Uint8Array> = fc.tuple(fc.constantFrom(2, 3), bytes(32)).map(([p, x]) => {
  const out = new Uint8Array(33);
  out[0] = p;
  out.set(x, 1);
  return out;
});
export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

/** Unknown odd TLV records, sorted, avoiding the stream's known types. */
export function unknownTlvs(known: bigint[] = []): Arb<TlvRecord[]> {
  const type = fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
  return fc
    .uniqueArray(
      type.map((t) => t | 1n),
      { maxLength: 3, selector: (t) => t.toString() },
    )
    .chain((types) => {
      const sorted = types.filter((t) => !known.includes(t)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return fc.tuple(...sorted.map((t) => varBytes(20).map((value): TlvRecord => ({ type: t, value }))));
    });
}

/** A TLV stream: each known field optional, plus unknown odd records. */
export function tlvs<T extends Record<string, unknown>>(
  fields: { [K in keyof T]: Arb<T[K]> },
  known: bigint[],
): Arb<Partial<T> & { unknown: TlvRecord[] }> {
  return fc
    .tuple(fc.record(fields, { requiredKeys: [], noNullPrototype: true }), unknownTlvs(known))
    .map(([k, unknown]) => ({ ...(k as Partial<T>), unknown }));
}

export const ext = unknownTlvs().map((unknown) => ({ unknown }));

const hostname = fc.stringMatching(/^[a-z0-9.-]{0,40}$/);
const known: Arb<Address> = fc.oneof(
  rec({ type: fc.constant('ipv4' as const), addr: bytes(4), port: u16 }),
  rec({ type: fc.constant('ipv6' as const), addr: bytes(16), port: u16 }),
  rec({ type: fc.constant('torv2' as const), addr: bytes(10), port: u16 }),
  rec({ type: fc.constant('torv3' as const), addr: bytes(35), port: u16 }),
  rec({ type: fc.constant('dns' as const), hostname, port: u16 }),
);
const unknownAddr: Arb<Address> = rec({
  type: fc.constant('unknown' as const),
  descriptorType: fc.oneof(fc.constant(0), fc.integer({ min: 6, max: 255 })),
  data: varBytes(10),
});
export const address = fc.oneof(known, unknownAddr);
export const addresses: Arb<Address[]> = fc
  .tuple(fc.array(known, { maxLength: 4 }), fc.option(unknownAddr, { nil: undefined }))
  .map(([list, tail]) => (tail ? [...list, tail] : list));
