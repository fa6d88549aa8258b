import { isStoreError, type Store } from '@shoal/store';
import { HaError } from './errors.js';
import type { Leadership } from './types.js';

/**
 * Wraps `store` so that each write transaction first checks {@link Leadership.isLeader}
 * (synchronously, right before BEGIN) and a `STORE_STALE_EPOCH` refusal (another backend claimed a
 * newer epoch) ends the leadership with `HA_FENCED`. Either way the write is refused with a
 * {@link HaError} and nothing is written; the caller stops (DESIGN §5).
 *
 * The store's own epoch check is what makes this safe regardless of timing: the leadership check
 * only makes a deposed leader stop before it even asks.
 */
export function fenceStore(store: Store, leadership: Leadership): Store {
  if (store.epoch !== leadership.epoch) {
    throw new HaError('HA_BAD_OPTIONS', 'the store writes under another epoch than this leadership', {
      storeEpoch: store.epoch.toString(),
      epoch: leadership.epoch.toString(),
    });
  }
  const transaction: Store['transaction'] = async (fn) => {
    leadership.assertLeader();
    try {
      return await store.transaction(fn);
    } catch (err) {
      if (isStoreError(err, 'STORE_STALE_EPOCH')) {
        const fenced = new HaError(
          'HA_FENCED',
          `write refused: ${err.message}; this backend is no longer the leader and must stop`,
          { epoch: leadership.epoch.toString(), databaseEpoch: String(err.meta.databaseEpoch ?? '') },
          { cause: err },
        );
        leadership.abandon(fenced);
        throw fenced;
      }
      throw err;
    }
  };
  return {
    get kind() {
      return store.kind;
    },
    get schemaVersion() {
      return store.schemaVersion;
    },
    get epoch() {
      return store.epoch;
    },
    transaction,
    read: (fn) => store.read(fn),
    claimEpoch: (epoch) => store.claimEpoch(epoch),
    databaseEpoch: () => store.databaseEpoch(),
    close: () => store.close(),
  };
}
