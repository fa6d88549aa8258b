import {
  booleanFormat,
  durationFormat,
  enumFormat,
  type HostPort,
  hostFormat,
  ipFormat,
  portFormat,
  privkeyHexFormat,
  pubkeyHexFormat,
  stringFormat,
  urlFormat,
} from '../formats.js';
import { type AppSchema, composeSchema, type Rule, setting } from '../schema.js';
import { commonSchema } from './common.js';

const settings = {
  server: {
    port: setting(portFormat({ allowZero: true }), {
      doc: 'Lightning peer port (BOLT 8 connections); 0 picks a free port (tests).',
      default: 9735,
    }),
    'binding-ip': setting(ipFormat(), { doc: 'Address the peer port listens on.', default: '0.0.0.0' }),
  },
  front: {
    'http-port': setting(portFormat({ allowZero: true }), {
      doc: 'HTTP port of /metrics and /health.',
      default: 8081,
    }),
    'http-binding-ip': setting(ipFormat(), { doc: 'Address the HTTP port listens on.', default: '0.0.0.0' }),
    backend: {
      ip: setting(hostFormat(), {
        doc: "The backend's cluster host; seeds cluster.seed-nodes (with cluster.port) when those are empty.",
        default: '127.0.0.1',
        env: ['BACKEND_IP'],
      }),
    },
    'priv-key-provider': setting(enumFormat(['seed', 'env', 'aws-sm'] as const), {
      doc: "Where the node key comes from: seed (datadir's seed, as the backend), env (front.priv-key) or aws-sm.",
      default: 'seed',
    }),
    'priv-key': setting(privkeyHexFormat(), {
      doc: 'Node private key, when priv-key-provider = env.',
      default: null,
      sensitive: true,
      env: ['NODE_PRIV_KEY'],
    }),
    'pub-key': setting(pubkeyHexFormat(), {
      doc: 'Expected node public key; the start fails unless the private key matches it.',
      default: null,
      required: true,
      env: ['NODE_PUB_KEY'],
    }),
    'aws-sm': {
      'secret-id': setting(stringFormat({ nonEmpty: true }), {
        doc: 'AWS Secrets Manager secret holding the private key (hex), when priv-key-provider = aws-sm.',
        default: 'node-priv-key',
      }),
      region: setting(stringFormat({ what: 'AWS region', pattern: /^[a-z0-9-]+$/ }), {
        doc: "AWS region; unset uses the SDK's own resolution (AWS_REGION...).",
        default: null,
      }),
      endpoint: setting(urlFormat(['http', 'https']), {
        doc: 'Secrets Manager endpoint override (tests, VPC endpoints).',
        default: null,
      }),
    },
  },
  socks5: {
    enabled: setting(booleanFormat(), {
      doc: 'Make outgoing peer connections through a SOCKS5 proxy.',
      default: false,
    }),
    host: setting(hostFormat(), { doc: 'SOCKS5 proxy host.', default: '127.0.0.1' }),
    port: setting(portFormat(), { doc: 'SOCKS5 proxy port.', default: 9050 }),
    'use-for-ipv4': setting(booleanFormat(), { doc: 'Use the proxy for IPv4 peers.', default: true }),
    'use-for-ipv6': setting(booleanFormat(), { doc: 'Use the proxy for IPv6 peers.', default: true }),
    'use-for-tor': setting(booleanFormat(), { doc: 'Use the proxy for Tor (.onion) peers.', default: true }),
  },
  router: {
    'broadcast-interval': setting(durationFormat(), {
      doc: 'How often each peer connection is sent the gossip accepted since its last flush (BOLT 7 "Rebroadcasting": 60 s); connections are staggered within it.',
      default: 60_000,
    }),
  },
  'peer-connection': {
    'auth-timeout': setting(durationFormat(), {
      doc: 'Time allowed for the BOLT 8 handshake.',
      default: 15_000,
    }),
    'init-timeout': setting(durationFormat(), {
      doc: 'Time allowed to receive init (BOLT 1).',
      default: 15_000,
    }),
    'ping-interval': setting(durationFormat(), {
      doc: 'Interval between our pings (BOLT 1).',
      default: 30_000,
    }),
    'ping-timeout': setting(durationFormat(), {
      doc: 'Time allowed for the pong before disconnecting.',
      default: 20_000,
    }),
  },
};

type Issues = ReturnType<Rule['apply']>;

const rules: Rule[] = [
  {
    doc: 'front.priv-key (NODE_PRIV_KEY) is required when front.priv-key-provider = env.',
    apply: (c): Issues =>
      c.get('front.priv-key-provider') === 'env' && c.get('front.priv-key') === null
        ? [
            {
              code: 'CONFIG_MISSING',
              key: 'front.priv-key',
              reason: 'is required when front.priv-key-provider = env (set NODE_PRIV_KEY)',
            },
          ]
        : [],
  },
  {
    doc: 'cluster.seed-nodes, when empty, becomes [front.backend.ip:cluster.port] (Eclair front).',
    apply: (c): Issues => {
      const seeds = c.get('cluster.seed-nodes') as readonly HostPort[] | null;
      const host = c.get('front.backend.ip');
      const port = c.get('cluster.port');
      if (seeds?.length === 0 && typeof host === 'string' && typeof port === 'number' && port !== 0) {
        const seed: HostPort = { host, port };
        c.set(
          'cluster.seed-nodes',
          [seed],
          `derived from front.backend.ip (${c.source('front.backend.ip')})`,
        );
      }
      return [];
    },
  },
];

/** The frontend's own keys (without the common ones). */
export const frontendPart: AppSchema<typeof settings> = { name: 'frontend', settings, rules };

/** Everything the frontend program reads: common + frontend keys. */
export const frontendSchema = composeSchema('frontend', commonSchema, frontendPart);
