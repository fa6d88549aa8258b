import type { ClusterOptions, ClusterTls } from '@shoal/cluster';
import { MESH_PROTOCOL_VERSION } from '@shoal/front-protocol';

/** The mesh settings a backend (leader or standby) takes from its configuration. */
export interface BackendClusterSettings {
  host: string;
  port: number;
  seedNodes: string[];
  failureDetectorThresholdMs?: number;
  heartbeatIntervalMs?: number;
  downAfterMs?: number;
}

/** `ClusterMember` options for a backend process with `roles` (unset timings keep the mesh defaults). */
export function backendMemberOptions(
  c: BackendClusterSettings,
  roles: string[],
  tls: ClusterTls,
): ClusterOptions {
  return {
    host: c.host,
    port: c.port,
    roles,
    seedNodes: c.seedNodes,
    tls,
    protocolVersion: MESH_PROTOCOL_VERSION,
    ...(c.failureDetectorThresholdMs === undefined
      ? {}
      : { failureDetectorThresholdMs: c.failureDetectorThresholdMs }),
    ...(c.downAfterMs === undefined ? {} : { downAfterMs: c.downAfterMs }),
    ...(c.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: c.heartbeatIntervalMs }),
  };
}
