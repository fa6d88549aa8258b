/** BOLT 8 "Handshake State": the Noise protocol name hashed into the initial `h` and `ck`. */
export const PROTOCOL_NAME = 'Noise_XK_secp256k1_ChaChaPoly_SHA256';
/** BOLT 8 "Handshake State": the prologue mixed into `h`. */
export const PROLOGUE = 'lightning';
/** BOLT 8 act lengths: version + 33-byte key + 16-byte MAC; act three carries an encrypted key. */
export const ACT_ONE_LENGTH = 50;
export const ACT_TWO_LENGTH = 50;
export const ACT_THREE_LENGTH = 66;
/** The handshake version byte this implementation speaks (BOLT 8). */
export const HANDSHAKE_VERSION = 0;
/** BOLT 8 "Lightning Message Specification": the maximum message length. */
export const MAX_MESSAGE_LENGTH = 65535;
/** ChaCha20-Poly1305 MAC length. */
export const MAC_LENGTH = 16;
/** Encrypted length prefix: 2 bytes + MAC (BOLT 8 "Encrypting and Sending Messages"). */
export const LENGTH_HEADER_LENGTH = 2 + MAC_LENGTH;
/** BOLT 8 "Lightning Message Key Rotation": rotate a key when its nonce reaches this value. */
export const KEY_ROTATION_INTERVAL = 1000;
/** Default time allowed for a whole handshake. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
