import { CryptoError, decryptWithAD, encryptWithADInto, hkdf } from '@shoal/crypto';
import { KEY_ROTATION_INTERVAL, LENGTH_HEADER_LENGTH, MAC_LENGTH, MAX_MESSAGE_LENGTH } from './constants.js';
import { NoiseError } from './errors.js';
import type { HandshakeResult } from './handshake.js';

const EMPTY = Buffer.alloc(0);

/** One direction's key, nonce and chaining key (BOLT 8 "Lightning Message Key Rotation"). */
class CipherState {
  private key: Buffer;
  private ck: Buffer;
  private nonce = 0;

  constructor(key: Buffer, ck: Buffer) {
    this.key = key;
    this.ck = ck;
  }

  encryptInto(plaintext: Uint8Array, out: Buffer, offset: number): number {
    const n = encryptWithADInto(this.key, this.nonce, EMPTY, plaintext, out, offset);
    this.advance();
    return n;
  }

  decrypt(ciphertext: Uint8Array): Buffer {
    let plain: Buffer;
    try {
      plain = decryptWithAD(this.key, this.nonce, EMPTY, ciphertext);
    } catch (cause) {
      if (cause instanceof CryptoError && cause.code === 'CRYPTO_BAD_MAC') {
        throw new NoiseError('NOISE_BAD_MAC', 'transport MAC check failed', {}, { cause });
      }
      throw cause;
    }
    this.advance();
    return plain;
  }

  private advance(): void {
    this.nonce++;
    // A key is changed after it has been used 1000 times (nonce 999 is its last):
    // ck', k' = HKDF(ck, k); the nonce resets to 0.
    if (this.nonce === KEY_ROTATION_INTERVAL) {
      const [ck, key] = hkdf(this.ck, this.key);
      this.ck = ck;
      this.key = key;
      this.nonce = 0;
    }
  }
}

/**
 * BOLT 8 transport after the handshake: frames are `encrypt(len) || encrypt(m)`, each with a MAC,
 * and each direction rotates its key every 1000 nonces.
 */
export class NoiseTransport {
  private readonly sending: CipherState;
  private readonly receiving: CipherState;

  constructor(keys: Pick<HandshakeResult, 'sendingKey' | 'receivingKey' | 'chainingKey'>) {
    this.sending = new CipherState(keys.sendingKey, keys.chainingKey);
    this.receiving = new CipherState(keys.receivingKey, keys.chainingKey);
  }

  /** Bytes on the wire for a message of `length` bytes. */
  static frameLength(length: number): number {
    return LENGTH_HEADER_LENGTH + length + MAC_LENGTH;
  }

  /** BOLT 8 "Encrypting and Sending Messages": returns the whole frame. */
  encrypt(message: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(NoiseTransport.frameLength(message.length));
    this.encryptInto(message, out, 0);
    return out;
  }

  /** Writes the frame for `message` into `out` at `offset`; returns its length. */
  encryptInto(message: Uint8Array, out: Buffer, offset: number): number {
    // 1. Let the length of the message be l; l MUST fit in 2 bytes.
    if (message.length > MAX_MESSAGE_LENGTH) {
      throw new NoiseError('NOISE_MESSAGE_TOO_LARGE', `message of ${message.length} bytes exceeds 65535`, {
        length: message.length,
      });
    }
    // Checked before anything is encrypted: a failure after the length would desynchronise sn.
    const frame = NoiseTransport.frameLength(message.length);
    if (!(Number.isInteger(offset) && offset >= 0 && out.length - offset >= frame)) {
      throw new NoiseError(
        'NOISE_MESSAGE_TOO_LARGE',
        `frame of ${frame} bytes does not fit the output buffer`,
        {
          length: message.length,
          available: out.length - offset,
        },
      );
    }
    // 2. Serialize l into 2 bytes big-endian.
    const l = Buffer.allocUnsafe(2);
    l.writeUInt16BE(message.length, 0);
    // 3. Encrypt l (lc, 18 bytes) with sn and an empty AD, then increment sn.
    const lc = this.sending.encryptInto(l, out, offset);
    // 4. Encrypt the message with sn, increment sn.
    const mc = this.sending.encryptInto(message, out, offset + lc);
    // 5. Send lc || c.
    return lc + mc;
  }

  /**
   * BOLT 8 "Receiving and Decrypting Messages" steps 1-3: decrypts the 18-byte length header and
   * returns the number of body bytes (length + MAC) to read next.
   */
  decryptLength(header: Uint8Array): number {
    if (header.length !== LENGTH_HEADER_LENGTH) {
      throw new NoiseError('NOISE_SHORT_READ', 'length header must be 18 bytes', { length: header.length });
    }
    // 2. Let the encrypted length prefix be lc. 3. Decrypt lc with rn, increment rn.
    const l = this.receiving.decrypt(header);
    return l.readUInt16BE(0) + MAC_LENGTH;
  }

  /** Steps 4-6: decrypts the body (message + MAC) announced by the last length header. */
  decryptBody(body: Uint8Array): Buffer {
    // 5. Decrypt c with rn, increment rn.
    return this.receiving.decrypt(body);
  }
}
