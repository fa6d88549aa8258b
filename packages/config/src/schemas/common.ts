import {
  booleanFormat,
  durationFormat,
  enumFormat,
  hostFormat,
  hostPortListFormat,
  portFormat,
  stringFormat,
  stringListFormat,
} from '../formats.js';
import { type AppSchema, type Rule, setting } from '../schema.js';

/** Bitcoin networks Shoal runs on (Eclair's `chain` names). */
export const CHAINS = ['mainnet', 'testnet', 'signet', 'regtest'] as const;
/** Log levels, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** The cluster's default TCP port (Akka artery's, as in Eclair's cluster mode). */
export const DEFAULT_CLUSTER_PORT = 25520;

const settings = {
  datadir: setting(stringFormat({ what: 'directory path', nonEmpty: true }), {
    doc: 'Data directory: holds shoal.conf, the cluster TLS file and (backend) the database. `~` is expanded.',
    default: '~/.shoal',
  }),
  chain: setting(enumFormat(CHAINS), { doc: 'Bitcoin network (as Eclair `chain`).', default: 'mainnet' }),
  log: {
    level: setting(enumFormat(LOG_LEVELS), { doc: 'Lowest level written.', default: 'info' }),
    format: setting(enumFormat(['json', 'pretty'] as const), {
      doc: 'json: one JSON object a line (for collectors); pretty: readable single lines.',
      default: 'json',
    }),
  },
  cluster: {
    name: setting(stringFormat({ what: 'cluster name ([a-z0-9-])', pattern: /^[a-z0-9][a-z0-9-]{0,62}$/ }), {
      doc: 'Name of this logical node (the same on all its backends and frontends); it namespaces the etcd election keys: etcd-election-prefix + name. (Members of other clusters are kept out by the cluster certificate, not by this name.)',
      default: 'shoal',
    }),
    id: setting(
      stringFormat({ what: 'member id ([A-Za-z0-9._-])', pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/ }),
      {
        doc: "This backend's own name in the leader election (backends only), shown by the cluster API and by followers; unset: the host name. Not the cluster's name: that is cluster.name.",
        default: null,
      },
    ),
    host: setting(hostFormat(), {
      doc: "This member's address as the other members reach it (Akka `canonical.hostname`).",
      default: '127.0.0.1',
      env: ['LOCAL_IP'],
    }),
    port: setting(portFormat({ allowZero: true }), {
      doc: 'Cluster (mesh) TCP port of this member (Akka `canonical.port`); 0 picks a free port (tests).',
      default: DEFAULT_CLUSTER_PORT,
    }),
    'seed-nodes': setting(hostPortListFormat(), {
      doc: 'Members to contact to join the cluster (Akka `cluster.seed-nodes`), host:port each.',
      default: [],
    }),
    roles: setting(stringListFormat({ what: 'role name', pattern: /^[a-z][a-z0-9-]*$/ }), {
      doc: "Extra roles of this member, added to the program's own (backend or frontend).",
      default: [],
    }),
    'failure-detector': {
      'heartbeat-interval': setting(durationFormat(), {
        doc: 'How often a member sends a heartbeat on each mesh link.',
        default: 1000,
      }),
      threshold: setting(durationFormat(), {
        doc: 'Silence after which a member is marked unreachable (Akka `acceptable-heartbeat-pause`).',
        default: 3000,
      }),
    },
    'down-after': setting(durationFormat(), {
      doc: 'How long a member may stay unreachable before it is removed from the cluster.',
      default: 10_000,
    }),
    tls: {
      file: setting(stringFormat({ what: 'file name', nonEmpty: true }), {
        doc: 'PKCS#12 keystore made by `bin/shoal-certs` (the one cluster certificate and key) for mutual TLS on the mesh; relative to datadir.',
        default: 'cluster.p12',
      }),
      password: setting(stringFormat(), {
        doc: 'Password of the TLS file (Eclair: AKKA_TLS_PASSWORD).',
        default: null,
        sensitive: true,
        env: ['CLUSTER_TLS_PASSWORD', 'AKKA_TLS_PASSWORD'],
      }),
    },
    'leader-elector': setting(enumFormat(['none', 'etcd'] as const), {
      doc: 'Backend leader election: none (a single backend) or etcd (active/standby backends).',
      default: 'none',
    }),
    etcd: {
      endpoints: setting(stringListFormat({ what: 'http(s) URL', pattern: /^https?:\/\/[^\s/]+/ }), {
        doc: 'etcd client URLs, used when leader-elector = etcd (several for an etcd cluster).',
        default: [],
      }),
      tls: {
        ca: setting(stringFormat({ what: 'file path', nonEmpty: true }), {
          doc: "PEM file of the CA that signed etcd's server certificates (https endpoints); relative to datadir.",
          default: null,
        }),
        cert: setting(stringFormat({ what: 'file path', nonEmpty: true }), {
          doc: 'PEM client certificate for etcd mutual TLS (with cluster.etcd.tls.key); relative to datadir.',
          default: null,
        }),
        key: setting(stringFormat({ what: 'file path', nonEmpty: true }), {
          doc: 'PEM private key of cluster.etcd.tls.cert; relative to datadir.',
          default: null,
        }),
      },
      username: setting(stringFormat({ nonEmpty: true }), {
        doc: 'etcd user (etcd auth enabled); with cluster.etcd.password.',
        default: null,
      }),
      password: setting(stringFormat(), {
        doc: 'Password of cluster.etcd.username.',
        default: null,
        sensitive: true,
      }),
    },
    'etcd-election-prefix': setting(stringFormat({ what: 'etcd key prefix', nonEmpty: true }), {
      doc: 'etcd key prefix of the leader election; cluster.name is appended.',
      default: '/shoal/election/',
    }),
    'leader-session-ttl': setting(durationFormat(), {
      doc: "TTL of the leader's etcd lease, rounded up to whole seconds: a dead leader is replaced within about this long plus a second; the leader stops on its own a quarter of it (at most 1s) before the lease can expire (>= 1s).",
      default: 2_000,
    }),
  },
  metrics: {
    enabled: setting(booleanFormat(), { doc: 'Serve Prometheus metrics at /metrics.', default: true }),
  },
};

const rules: Rule[] = [
  {
    doc: 'cluster.etcd.endpoints must not be empty when cluster.leader-elector = etcd.',
    apply: (c) =>
      c.get('cluster.leader-elector') === 'etcd' &&
      (c.get('cluster.etcd.endpoints') as unknown[] | null)?.length === 0
        ? [
            {
              code: 'CONFIG_MISSING',
              key: 'cluster.etcd.endpoints',
              reason: 'is required when cluster.leader-elector = etcd',
            },
          ]
        : [],
  },
  {
    doc: 'cluster.leader-session-ttl must be at least 1s (etcd leases count whole seconds).',
    apply: (c) => {
      const ttl = c.get('cluster.leader-session-ttl');
      return typeof ttl === 'number' && ttl < 1000
        ? [{ code: 'CONFIG_BAD_VALUE', key: 'cluster.leader-session-ttl', reason: 'must be at least 1s' }]
        : [];
    },
  },
  {
    doc: 'cluster.etcd.tls.cert and cluster.etcd.tls.key go together; cluster.etcd.username and cluster.etcd.password go together.',
    apply: (c) => {
      const pairs = [
        ['cluster.etcd.tls.cert', 'cluster.etcd.tls.key'],
        ['cluster.etcd.username', 'cluster.etcd.password'],
      ] as const;
      return pairs.flatMap(([a, b]) => {
        const hasA = c.get(a) !== null;
        const hasB = c.get(b) !== null;
        if (hasA === hasB) return [];
        const [set, missing] = hasA ? [a, b] : [b, a];
        return [{ code: 'CONFIG_MISSING' as const, key: missing, reason: `is required when ${set} is set` }];
      });
    },
  },
];

/** Keys every Shoal program has. */
export const commonSchema: AppSchema<typeof settings> = { name: 'common', settings, rules };
