/** BOLT 7 "Recommendation on Pruning Stale Entries": two weeks, in seconds. */
export const STALE_UPDATE_SECONDS = 1_209_600;

/** BOLT 7 `channel_announcement`: forget a channel this many blocks after its funding output is spent. */
export const SPENT_FORGET_DELAY_BLOCKS = 72;

/** BOLT 7 "Rebroadcasting": flush outgoing gossip once every 60 seconds. */
export const DEFAULT_BROADCAST_INTERVAL_MS = 60_000;

/** BOLT 1: a message (type included) is at most 65535 bytes. */
export const MAX_MESSAGE_BYTES = 65_535;

/** `channel_update` timestamps further ahead than this are discarded (BOLT 7 "unreasonably far"). */
export const DEFAULT_MAX_FUTURE_SECONDS = 3_600;

/** BOLT 7 `query_short_channel_ids` query flag bits. */
export const QUERY_FLAG_ANNOUNCEMENT = 1n;
export const QUERY_FLAG_UPDATE_1 = 2n;
export const QUERY_FLAG_UPDATE_2 = 4n;
export const QUERY_FLAG_NODE_1 = 8n;
export const QUERY_FLAG_NODE_2 = 16n;
export const QUERY_FLAG_ALL = 31n;

/** BOLT 7 `channel_update` `message_flags` / `channel_flags` bits. */
export const MESSAGE_FLAG_MUST_BE_ONE = 1;
export const MESSAGE_FLAG_DONT_FORWARD = 2;
export const CHANNEL_FLAG_DIRECTION = 1;
export const CHANNEL_FLAG_DISABLE = 2;
