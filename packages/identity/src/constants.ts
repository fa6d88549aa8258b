/** Name of the node seed file inside the data directory (Eclair's name, so a datadir moves across). */
export const NODE_SEED_FILE = 'node_seed.dat';

/** Size of the node seed in bytes. */
export const NODE_SEED_LENGTH = 32;

/** File mode of the seed file: owner read/write only. */
export const NODE_SEED_MODE = 0o600;

/** Mode given to a data directory this package has to create. */
export const DATADIR_MODE = 0o700;

/** Offset added to an index to make it hardened (BIP32 "Key identifiers"). */
export const HARDENED = 0x80000000;
