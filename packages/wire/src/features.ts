import { WireError } from './errors.js';

/** BOLT 9 context letters: I init, N node_announcement, C channel_announcement, 9 invoice, B blinded path, T channel_type. */
export type FeatureContext = 'I' | 'N' | 'C' | '9' | 'B' | 'T';

/** One assigned feature of the BOLT 9 table. */
export interface FeatureInfo {
  /** The even (compulsory) bit; the odd (optional) bit is `bit + 1`. */
  readonly bit: number;
  readonly contexts: readonly FeatureContext[];
  /** Marked ASSUMED: every node supports it; its context is left empty by the spec. */
  readonly assumed: boolean;
  /** Names of the features this one needs (BOLT 9 "Dependencies" column). */
  readonly dependencies: readonly string[];
}

function f(bit: number, contexts: string, dependencies: string[] = [], assumed = false): FeatureInfo {
  return { bit, contexts: [...contexts] as FeatureContext[], assumed, dependencies };
}

/** BOLT 9 "Assigned Feature Flags", as in this repository's spec copy. */
export const FEATURES = {
  option_data_loss_protect: f(0, '', [], true),
  option_upfront_shutdown_script: f(4, 'IN'),
  gossip_queries: f(6, ''),
  var_onion_optin: f(8, '', [], true),
  gossip_queries_ex: f(10, 'IN'),
  option_static_remotekey: f(12, '', [], true),
  payment_secret: f(14, '', [], true),
  basic_mpp: f(16, 'IN9', ['payment_secret']),
  option_support_large_channel: f(18, 'IN'),
  option_anchors: f(22, 'INT'),
  option_route_blinding: f(24, 'IN9'),
  option_shutdown_anysegwit: f(26, 'IN'),
  option_dual_fund: f(28, 'IN'),
  option_quiesce: f(34, 'IN'),
  option_attribution_data: f(36, 'IN9'),
  option_onion_messages: f(38, 'IN'),
  option_provide_storage: f(42, 'IN'),
  option_channel_type: f(44, '', [], true),
  option_scid_alias: f(46, 'INT'),
  option_payment_metadata: f(48, '9'),
  option_zeroconf: f(50, 'INT', ['option_scid_alias']),
  option_simple_close: f(60, 'IN', ['option_shutdown_anysegwit']),
  option_splice: f(62, 'IN'),
} as const satisfies Record<string, FeatureInfo>;

/** Name of an assigned BOLT 9 feature. */
export type FeatureName = keyof typeof FEATURES;

const NAMES = Object.keys(FEATURES) as FeatureName[];
const BY_PAIR = new Map<number, FeatureName>(NAMES.map((n) => [FEATURES[n].bit, n]));

/** How a feature is set in a vector. */
export type FeatureSupport = 'compulsory' | 'optional';

/**
 * A BOLT 9 feature-bit vector. Bit 0 is the least significant bit of the last byte
 * (BOLT 1 `init`: big-endian, padded to bytes). Immutable.
 */
export class Features {
  readonly #bits: ReadonlySet<number>;

  private constructor(bits: Iterable<number>) {
    this.#bits = new Set(bits);
  }

  /** Parses a big-endian feature field. */
  static fromBytes(bytes: Uint8Array): Features {
    const bits: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[bytes.length - 1 - i]!;
      for (let b = 0; b < 8; b++) if (byte & (1 << b)) bits.push(i * 8 + b);
    }
    return new Features(bits);
  }

  /** A vector with exactly these bits set. */
  static fromBits(bits: Iterable<number>): Features {
    const list = [...bits];
    for (const b of list) {
      if (!Number.isInteger(b) || b < 0 || b >= 0xffff * 8) {
        throw new WireError('WIRE_OUT_OF_RANGE', `feature bit ${b} out of range`, { bit: b });
      }
    }
    return new Features(list);
  }

  /** Named features, each compulsory (even bit) or optional (odd bit). */
  static of(features: Partial<Record<FeatureName, FeatureSupport>>): Features {
    const bits: number[] = [];
    for (const [name, how] of Object.entries(features) as [FeatureName, FeatureSupport][]) {
      bits.push(FEATURES[name].bit + (how === 'optional' ? 1 : 0));
    }
    return new Features(bits);
  }

  /** Minimal-length big-endian encoding (BOLT 1: "SHOULD use the minimum length"). */
  toBytes(): Uint8Array {
    let max = -1;
    for (const b of this.#bits) if (b > max) max = b;
    const out = new Uint8Array(Math.ceil((max + 1) / 8));
    for (const b of this.#bits) out[out.length - 1 - (b >> 3)]! |= 1 << (b & 7);
    return out;
  }

  /** Set bits, ascending. */
  bits(): number[] {
    return [...this.#bits].sort((a, b) => a - b);
  }

  /** Whether one bit is set. */
  isSet(bit: number): boolean {
    return this.#bits.has(bit);
  }

  /** Bitwise OR: BOLT 1 merges `globalfeatures` into `features` this way. */
  or(other: Features): Features {
    return new Features([...this.#bits, ...other.#bits]);
  }

  /** `compulsory` if the even bit is set (BOLT 9: both set counts as compulsory), `optional` if only the odd one. */
  support(name: FeatureName): FeatureSupport | undefined {
    const bit = FEATURES[name].bit;
    if (this.#bits.has(bit)) return 'compulsory';
    if (this.#bits.has(bit + 1)) return 'optional';
    return undefined;
  }

  /** Whether the feature is offered at all (either bit). */
  has(name: FeatureName): boolean {
    return this.support(name) !== undefined;
  }

  /** Whether the feature is compulsory (even bit set). */
  requires(name: FeatureName): boolean {
    return this.support(name) === 'compulsory';
  }

  /** Set even bits that no assigned feature owns (BOLT 1: the receiver MUST close the connection). */
  unknownCompulsoryBits(): number[] {
    return this.bits().filter((b) => b % 2 === 0 && !BY_PAIR.has(b));
  }

  /** Set odd bits that no assigned feature owns (BOLT 1: MUST be ignored). */
  unknownOptionalBits(): number[] {
    return this.bits().filter((b) => b % 2 === 1 && !BY_PAIR.has(b - 1));
  }

  /** Pairs with both bits set (BOLT 9: the origin MUST NOT set both). */
  bothBitsSet(): FeatureName[] {
    return NAMES.filter((n) => this.#bits.has(FEATURES[n].bit) && this.#bits.has(FEATURES[n].bit + 1));
  }

  /** BOLT 9 dependency table: offered features whose transitive dependencies are not all offered. */
  missingDependencies(): { feature: FeatureName; missing: FeatureName }[] {
    const out: { feature: FeatureName; missing: FeatureName }[] = [];
    for (const name of NAMES) {
      if (!this.has(name)) continue;
      const seen = new Set<FeatureName>();
      const stack = [...FEATURES[name].dependencies] as FeatureName[];
      while (stack.length > 0) {
        const dep = stack.pop()!;
        if (seen.has(dep)) continue;
        seen.add(dep);
        if (!this.has(dep)) out.push({ feature: name, missing: dep });
        stack.push(...(FEATURES[dep].dependencies as readonly FeatureName[]));
      }
    }
    return out;
  }

  /**
   * Known features set in a field whose context the BOLT 9 table does not list
   * (features with an empty context column are not judged).
   */
  outsideContext(context: FeatureContext): FeatureName[] {
    return NAMES.filter((n) => {
      const info: FeatureInfo = FEATURES[n];
      return this.has(n) && info.contexts.length > 0 && !info.contexts.includes(context);
    });
  }

  /** Names of the assigned features that are set. */
  known(): FeatureName[] {
    return NAMES.filter((n) => this.has(n));
  }

  equals(other: Features): boolean {
    const a = this.bits();
    const b = other.bits();
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
}

/** Name of the assigned feature owning `bit` (either bit of its pair). */
export function featureName(bit: number): FeatureName | undefined {
  return BY_PAIR.get(bit - (bit % 2));
}
