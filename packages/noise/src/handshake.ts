import {
  CryptoError,
  decryptWithAD,
  encryptWithAD,
  hkdf,
  randomPrivateKey,
  type Secp256k1,
  secp256k1,
  sha256,
} from '@shoal/crypto';
import {
  ACT_ONE_LENGTH,
  ACT_THREE_LENGTH,
  ACT_TWO_LENGTH,
  HANDSHAKE_VERSION,
  PROLOGUE,
  PROTOCOL_NAME,
} from './constants.js';
import { NoiseError } from './errors.js';

const EMPTY = Buffer.alloc(0);
const PROTOCOL_HASH = sha256(Buffer.from(PROTOCOL_NAME, 'ascii'));
const H_PROLOGUE = sha256(Buffer.concat([PROTOCOL_HASH, Buffer.from(PROLOGUE, 'ascii')]));

/** Options shared by both roles. */
export interface HandshakeOptions {
  /** Our node key `ls.priv` (32 bytes). */
  localStaticKey: Uint8Array;
  /** `e.priv`; random when absent. Only tests (the BOLT 8 vectors) should set it. */
  ephemeralKey?: Uint8Array;
  /** secp256k1 implementation; the package default when absent. */
  secp?: Secp256k1;
}

/** Keys produced by a finished handshake (BOLT 8 act three: `sk, rk = HKDF(ck, zero)`). */
export interface HandshakeResult {
  remoteStaticKey: Buffer;
  sendingKey: Buffer;
  receivingKey: Buffer;
  chainingKey: Buffer;
}

/** Servers reuse one static key for every handshake: remember its public key. */
let lastStatic: { priv: Buffer; pub: Buffer; secp: Secp256k1 } | undefined;

function staticPublicKey(secp: Secp256k1, priv: Buffer): Buffer {
  if (lastStatic && lastStatic.secp === secp && lastStatic.priv.equals(priv)) return lastStatic.pub;
  const pub = secp.publicKeyCreate(priv);
  lastStatic = { priv, pub, secp };
  return pub;
}

type Step = 'act1' | 'act2' | 'act3' | 'done' | 'failed';

/**
 * BOLT 8 Noise_XK handshake state for one side: a synchronous state machine over whole acts, so
 * the socket layer (and the fuzzer) can drive it without I/O.
 */
export class Handshake {
  readonly initiator: boolean;
  private readonly secp: Secp256k1;
  private readonly ls: Buffer;
  private readonly lsPub: Buffer;
  private readonly e: Buffer;
  private ePubCache: Buffer | undefined;
  private rs: Buffer | undefined;
  private re: Buffer = EMPTY;
  private h: Buffer;
  private ck: Buffer;
  private tempK2: Buffer = EMPTY;
  private step: Step;
  private keys: HandshakeResult | undefined;

  private constructor(initiator: boolean, options: HandshakeOptions, rs: Buffer | undefined) {
    this.initiator = initiator;
    this.secp = options.secp ?? secp256k1;
    this.ls = Buffer.from(options.localStaticKey);
    this.lsPub = staticPublicKey(this.secp, this.ls);
    this.e = options.ephemeralKey ? Buffer.from(options.ephemeralKey) : randomPrivateKey();
    this.rs = rs;
    // Handshake State Initialization:
    // 1. h = SHA-256(protocolName)
    // 2. ck = h
    this.ck = PROTOCOL_HASH;
    // 3. h = SHA-256(h || prologue)
    // 4. h = SHA-256(h || rs.pub) for the initiator, SHA-256(h || ls.pub) for the responder
    this.h = sha256(Buffer.concat([H_PROLOGUE, initiator ? (rs as Buffer) : this.lsPub]));
    this.step = 'act1';
  }

  /** Initiator state; `remoteStaticKey` is the responder's node id (33 bytes). */
  static initiator(options: HandshakeOptions & { remoteStaticKey: Uint8Array }): Handshake {
    const secp = options.secp ?? secp256k1;
    if (!secp.isPublicKey(options.remoteStaticKey) || options.remoteStaticKey.length !== 33) {
      throw new NoiseError('NOISE_BAD_KEY', 'remote static key is not a compressed secp256k1 point');
    }
    return new Handshake(true, options, Buffer.from(options.remoteStaticKey));
  }

  /** Responder state. */
  static responder(options: HandshakeOptions): Handshake {
    return new Handshake(false, options, undefined);
  }

  /** `e.pub`, computed on first use so a responder spends no EC work before act one checks out. */
  private get ePub(): Buffer {
    this.ePubCache ??= this.secp.publicKeyCreate(this.e);
    return this.ePubCache;
  }

  /** Our static public key `ls.pub`. */
  get localPublicKey(): Buffer {
    return this.lsPub;
  }

  /** True once the handshake has produced transport keys. */
  get complete(): boolean {
    return this.step === 'done';
  }

  /** Keys of a finished handshake; throws `NOISE_BAD_STATE` before. */
  result(): HandshakeResult {
    if (!this.keys) throw new NoiseError('NOISE_BAD_STATE', 'handshake not complete');
    return this.keys;
  }

  /** Act One, sender side (initiator): returns the 50 bytes to send. */
  writeAct1(): Buffer {
    this.expect(true, 'act1');
    // 1. e = generateKey() (done in the constructor)
    // 2. h = SHA-256(h || e.pub.serializeCompressed())
    this.mixHash(this.ePub);
    // 3. es = ECDH(e.priv, rs)
    const es = this.secp.ecdh(this.rs as Buffer, this.e);
    // 4. ck, temp_k1 = HKDF(ck, es)
    const [ck, tempK1] = hkdf(this.ck, es);
    this.ck = ck;
    // 5. c = encryptWithAD(temp_k1, 0, h, zero)
    const c = encryptWithAD(tempK1, 0, this.h, EMPTY);
    // 6. h = SHA-256(h || c)
    this.mixHash(c);
    this.step = 'act2';
    // 7. m = 0 || e.pub.serializeCompressed() || c
    return Buffer.concat([Buffer.from([HANDSHAKE_VERSION]), this.ePub, c]);
  }

  /** Act One, receiver side (responder): consumes 50 bytes and returns Act Two to send. */
  readAct1(m: Uint8Array): Buffer {
    this.expect(false, 'act1');
    return this.guard(() => {
      // 1. Read exactly 50 bytes from the network buffer.
      checkLength(m, ACT_ONE_LENGTH, 1);
      // 2. Parse the read message (m) into v, re, and c.
      // 3. If v is an unrecognized handshake version, then the responder MUST abort the connection attempt.
      checkVersion(m[0], 1);
      this.re = this.parseKey(m.subarray(1, 34), 1);
      const c = m.subarray(34, 50);
      // 4. h = SHA-256(h || re.serializeCompressed())
      this.mixHash(this.re);
      // 5. es = ECDH(s.priv, re)
      const es = this.secp.ecdh(this.re, this.ls);
      // 6. ck, temp_k1 = HKDF(ck, es)
      const [ck, tempK1] = hkdf(this.ck, es);
      this.ck = ck;
      // 7. p = decryptWithAD(temp_k1, 0, h, c); a MAC failure aborts.
      decrypt(tempK1, 0, this.h, c, 1);
      // 8. h = SHA-256(h || c)
      this.mixHash(c);
      return this.writeAct2();
    });
  }

  private writeAct2(): Buffer {
    // Act Two sender: 1. e = generateKey()
    // 2. h = SHA-256(h || e.pub.serializeCompressed())
    this.mixHash(this.ePub);
    // 3. ee = ECDH(e.priv, re)
    const ee = this.secp.ecdh(this.re, this.e);
    // 4. ck, temp_k2 = HKDF(ck, ee)
    const [ck, tempK2] = hkdf(this.ck, ee);
    this.ck = ck;
    this.tempK2 = tempK2;
    // 5. c = encryptWithAD(temp_k2, 0, h, zero)
    const c = encryptWithAD(tempK2, 0, this.h, EMPTY);
    // 6. h = SHA-256(h || c)
    this.mixHash(c);
    this.step = 'act3';
    // 7. m = 0 || e.pub.serializeCompressed() || c
    return Buffer.concat([Buffer.from([HANDSHAKE_VERSION]), this.ePub, c]);
  }

  /** Act Two, receiver side (initiator): consumes 50 bytes, returns Act Three; completes. */
  readAct2(m: Uint8Array): Buffer {
    this.expect(true, 'act2');
    return this.guard(() => {
      // 1. Read exactly 50 bytes from the network buffer.
      checkLength(m, ACT_TWO_LENGTH, 2);
      // 2. Parse m into v, re, and c. 3. An unrecognized version aborts.
      checkVersion(m[0], 2);
      this.re = this.parseKey(m.subarray(1, 34), 2);
      const c = m.subarray(34, 50);
      // 4. h = SHA-256(h || re.serializeCompressed())
      this.mixHash(this.re);
      // 5. ee = ECDH(e.priv, re)
      const ee = this.secp.ecdh(this.re, this.e);
      // 6. ck, temp_k2 = HKDF(ck, ee)
      const [ck, tempK2] = hkdf(this.ck, ee);
      this.ck = ck;
      // 7. p = decryptWithAD(temp_k2, 0, h, c); a MAC failure aborts.
      decrypt(tempK2, 0, this.h, c, 2);
      // 8. h = SHA-256(h || c)
      this.mixHash(c);
      return this.writeAct3(tempK2);
    });
  }

  private writeAct3(tempK2: Buffer): Buffer {
    // Act Three sender: 1. c = encryptWithAD(temp_k2, 1, h, s.pub.serializeCompressed())
    const c = encryptWithAD(tempK2, 1, this.h, this.lsPub);
    // 2. h = SHA-256(h || c)
    this.mixHash(c);
    // 3. se = ECDH(s.priv, re)
    const se = this.secp.ecdh(this.re, this.ls);
    // 4. ck, temp_k3 = HKDF(ck, se)
    const [ck, tempK3] = hkdf(this.ck, se);
    // 5. t = encryptWithAD(temp_k3, 0, h, zero)
    const t = encryptWithAD(tempK3, 0, this.h, EMPTY);
    // 6. sk, rk = HKDF(ck, zero)
    const [sk, rk] = hkdf(ck, EMPTY);
    this.finish(ck, sk, rk, this.rs as Buffer);
    // 7. m = 0 || c || t
    return Buffer.concat([Buffer.from([HANDSHAKE_VERSION]), c, t]);
  }

  /** Act Three, receiver side (responder): consumes 66 bytes; completes. */
  readAct3(m: Uint8Array): void {
    this.expect(false, 'act3');
    this.guard(() => {
      // 1. Read exactly 66 bytes from the network buffer.
      checkLength(m, ACT_THREE_LENGTH, 3);
      // 2. Parse m into v, c (49 bytes) and t. 3. An unrecognized version aborts.
      checkVersion(m[0], 3);
      const c = m.subarray(1, 50);
      const t = m.subarray(50, 66);
      // 4. rs = decryptWithAD(temp_k2, 1, h, c); a MAC failure aborts.
      const rsBytes = decrypt(this.tempK2, 1, this.h, c, 3);
      const rs = this.parseKey(rsBytes, 3);
      // 5. h = SHA-256(h || c)
      this.mixHash(c);
      // 6. se = ECDH(e.priv, rs)
      const se = this.secp.ecdh(rs, this.e);
      // 7. ck, temp_k3 = HKDF(ck, se)
      const [ck, tempK3] = hkdf(this.ck, se);
      // 8. p = decryptWithAD(temp_k3, 0, h, t); a MAC failure aborts.
      decrypt(tempK3, 0, this.h, t, 3);
      // 9. rk, sk = HKDF(ck, zero)
      const [rk, sk] = hkdf(ck, EMPTY);
      this.finish(ck, sk, rk, rs);
    });
  }

  private finish(ck: Buffer, sk: Buffer, rk: Buffer, rs: Buffer): void {
    this.ck = ck;
    this.rs = rs;
    this.keys = { remoteStaticKey: rs, sendingKey: sk, receivingKey: rk, chainingKey: ck };
    this.step = 'done';
  }

  private mixHash(data: Uint8Array): void {
    this.h = sha256(Buffer.concat([this.h, data]));
  }

  private parseKey(key: Uint8Array, act: number): Buffer {
    if (key[0] !== 0x02 && key[0] !== 0x03) {
      throw new NoiseError('NOISE_BAD_KEY', `act ${act}: public key is not compressed`, { act });
    }
    // The point itself is validated by the ECDH that always follows (a CryptoError there
    // becomes NOISE_BAD_KEY in guard()), saving a second parse per act.
    return Buffer.from(key);
  }

  private expect(initiator: boolean, step: Step): void {
    if (this.initiator !== initiator || this.step !== step) {
      throw new NoiseError('NOISE_BAD_STATE', `unexpected handshake call in state ${this.step}`, {
        step: this.step,
        initiator: this.initiator,
      });
    }
  }

  /** Any failure poisons the state: a handshake is never retried on the same object. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      this.step = 'failed';
      if (err instanceof NoiseError) throw err;
      if (err instanceof CryptoError)
        throw new NoiseError('NOISE_BAD_KEY', err.message, { cause: err.code }, { cause: err });
      throw err;
    }
  }
}

function checkLength(m: Uint8Array, expected: number, act: number): void {
  if (m.length !== expected) {
    throw new NoiseError('NOISE_SHORT_READ', `act ${act}: expected ${expected} bytes, got ${m.length}`, {
      act,
      length: m.length,
    });
  }
}

function checkVersion(v: number | undefined, act: number): void {
  if (v !== HANDSHAKE_VERSION) {
    throw new NoiseError('NOISE_BAD_VERSION', `act ${act}: unsupported handshake version ${v}`, {
      act,
      version: v ?? -1,
    });
  }
}

function decrypt(key: Buffer, nonce: number, ad: Buffer, c: Uint8Array, act: number): Buffer {
  try {
    return decryptWithAD(key, nonce, ad, c);
  } catch (cause) {
    if (cause instanceof CryptoError && cause.code === 'CRYPTO_BAD_MAC') {
      throw new NoiseError('NOISE_BAD_MAC', `act ${act}: MAC check failed`, { act }, { cause });
    }
    throw cause;
  }
}
