import { HaError } from './errors.js';
import { EtcdElector, type EtcdElectorOptions } from './etcd.js';
import { NoneElector, type NoneElectorOptions } from './none.js';
import type { ElectorDeps, LeaderElector } from './types.js';

/** `cluster.leader-elector` and the options of the chosen implementation. */
export type LeaderElectorOptions =
  | ({ kind: 'none' } & NoneElectorOptions)
  | ({ kind: 'etcd' } & EtcdElectorOptions);

/** Builds the elector named by `cluster.leader-elector`. */
export function createLeaderElector(deps: ElectorDeps, options: LeaderElectorOptions): LeaderElector {
  switch (options.kind) {
    case 'none':
      return new NoneElector(deps, options);
    case 'etcd':
      return new EtcdElector(deps, options);
    default:
      throw new HaError(
        'HA_BAD_OPTIONS',
        `unknown leader elector ${String((options as { kind: unknown }).kind)}`,
      );
  }
}
