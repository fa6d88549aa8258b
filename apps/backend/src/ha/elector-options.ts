import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError } from '@shoal/config';
import type { LeaderElectorOptions, LeaderInfo } from '@shoal/ha';
import type { BackendConfig } from '../run.js';

/** This backend's name in the election: `cluster.id`, else the host name. */
export function candidateId(config: BackendConfig): string {
  return config.cluster.id ?? hostname();
}

/** A PEM file named by `key`, relative to the datadir; a missing file is the operator's to fix. */
function readPem(config: BackendConfig, key: string, path: string): Uint8Array {
  const full = resolve(config.datadir, path);
  try {
    return readFileSync(full);
  } catch (err) {
    throw ConfigError.of('CONFIG_BAD_VALUE', `cannot read ${full}: ${(err as Error).message}`, { key });
  }
}

/**
 * The elector named by `cluster.leader-elector`, from the configuration (DESIGN §5): etcd
 * endpoints, TLS and auth, election prefix + `cluster.name`, candidate `cluster.id`, and the
 * lease TTL rounded up to whole seconds (etcd leases count seconds). `advertise` is shown to
 * followers and by the `cluster` call (the leader's mesh address).
 */
export function electorOptions(config: BackendConfig, advertise: string): LeaderElectorOptions {
  const c = config.cluster;
  const id = candidateId(config);
  if (c['leader-elector'] === 'none') return { kind: 'none', candidateId: id, advertise };
  const e = c.etcd;
  const ca = e.tls.ca === null ? undefined : readPem(config, 'cluster.etcd.tls.ca', e.tls.ca);
  const cert = e.tls.cert === null ? undefined : readPem(config, 'cluster.etcd.tls.cert', e.tls.cert);
  const key = e.tls.key === null ? undefined : readPem(config, 'cluster.etcd.tls.key', e.tls.key);
  if (ca === undefined && cert !== undefined) {
    throw ConfigError.of('CONFIG_MISSING', 'is required with a client certificate (etcd mutual TLS)', {
      key: 'cluster.etcd.tls.ca',
    });
  }
  // Without a CA file, https endpoints are checked against the system's roots by the client.
  const tls =
    ca === undefined
      ? undefined
      : { ca, ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
  const auth = e.username === null ? undefined : { username: e.username, password: e.password ?? '' };
  return {
    kind: 'etcd',
    endpoints: [...e.endpoints],
    clusterId: c.name,
    candidateId: id,
    prefix: c['etcd-election-prefix'],
    ttlSeconds: Math.max(1, Math.ceil(c['leader-session-ttl'] / 1000)),
    advertise,
    ...(tls === undefined ? {} : { tls }),
    ...(auth === undefined ? {} : { auth }),
  };
}

/** How a leader is named in logs and in a follower's answers: `id (epoch N, mesh host:port)`. */
export function describeLeader(leader: LeaderInfo | undefined): string | undefined {
  if (leader === undefined) return undefined;
  const where = leader.advertise === undefined ? '' : `, mesh ${leader.advertise}`;
  return `${leader.id} (epoch ${leader.epoch}${where})`;
}
