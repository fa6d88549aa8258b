import {
  booleanFormat,
  durationFormat,
  enumFormat,
  hostFormat,
  hostPortListFormat,
  intFormat,
  ipFormat,
  portFormat,
  stringFormat,
  urlFormat,
} from '../formats.js';
import { type AppSchema, composeSchema, type Rule, setting } from '../schema.js';
import { commonSchema } from './common.js';

/** bitcoind's default RPC port per chain, used while `bitcoind.rpcport` is left at its default. */
export const BITCOIND_RPC_PORTS = { mainnet: 8332, testnet: 18332, signet: 38332, regtest: 18443 } as const;

const settings = {
  'node-alias': setting(stringFormat({ what: 'alias', maxBytes: 32 }), {
    doc: 'Alias announced in node_announcement (BOLT 7: at most 32 bytes).',
    default: 'shoal',
  }),
  'node-color': setting(stringFormat({ what: 'RGB colour as 6 hex digits', pattern: /^[0-9a-fA-F]{6}$/ }), {
    doc: 'Colour announced in node_announcement (BOLT 7 `rgb_color`), e.g. 49daaa.',
    default: '49daaa',
  }),
  server: {
    'public-ips': setting(hostPortListFormat({ defaultPort: 9735 }), {
      doc: "Addresses announced in node_announcement: the frontends' public addresses (port default 9735).",
      default: [],
    }),
  },
  api: {
    enabled: setting(booleanFormat(), { doc: 'Serve the Eclair-compatible JSON API.', default: false }),
    'binding-ip': setting(ipFormat(), { doc: 'Address the API listens on.', default: '127.0.0.1' }),
    port: setting(portFormat({ allowZero: true }), { doc: 'API TCP port.', default: 8080 }),
    password: setting(stringFormat({ nonEmpty: true }), {
      doc: 'API basic-auth password; required when api.enabled.',
      default: null,
      sensitive: true,
    }),
  },
  db: {
    driver: setting(enumFormat(['sqlite', 'postgres'] as const), {
      doc: 'Database: sqlite (one file in datadir) or postgres (needed for standby backends).',
      default: 'sqlite',
    }),
    postgres: {
      hosts: setting(hostPortListFormat({ defaultPort: 5432 }), {
        doc: 'PostgreSQL servers, tried in order (port default 5432).',
        default: [{ host: 'localhost', port: 5432 }],
      }),
      database: setting(stringFormat({ nonEmpty: true }), { doc: 'Database name.', default: 'shoal' }),
      username: setting(stringFormat({ nonEmpty: true }), { doc: 'Database user.', default: 'shoal' }),
      password: setting(stringFormat(), { doc: 'Database password.', default: null, sensitive: true }),
      ssl: setting(booleanFormat(), { doc: 'Connect with TLS.', default: false }),
      'pool-size': setting(intFormat({ min: 1, max: 1000 }), {
        doc: 'Maximum connections in the pool.',
        default: 10,
      }),
      'connect-timeout': setting(durationFormat(), {
        doc: 'Timeout of one connection attempt.',
        default: 10_000,
      }),
    },
  },
  bitcoind: {
    'rpc-url': setting(urlFormat(['http', 'https']), {
      doc: 'Full RPC URL (e.g. http://127.0.0.1:8332/wallet/x); when set, host and rpcport are ignored.',
      default: null,
    }),
    host: setting(hostFormat(), { doc: 'bitcoind RPC host.', default: '127.0.0.1' }),
    rpcport: setting(portFormat(), {
      doc: "bitcoind RPC port; defaults to the chain's (8332, 18332, 38332, regtest 18443).",
      default: BITCOIND_RPC_PORTS.mainnet,
    }),
    auth: setting(enumFormat(['password', 'safecookie'] as const), {
      doc: 'RPC authentication: password (rpcuser/rpcpassword) or safecookie (the cookie file).',
      default: 'password',
    }),
    rpcuser: setting(stringFormat(), { doc: 'RPC user (auth = password).', default: null }),
    rpcpassword: setting(stringFormat(), {
      doc: 'RPC password (auth = password).',
      default: null,
      sensitive: true,
    }),
    cookie: setting(stringFormat({ what: 'file path', nonEmpty: true }), {
      doc: "bitcoind's .cookie file (auth = safecookie).",
      default: null,
    }),
    wallet: setting(stringFormat(), { doc: 'bitcoind wallet name, if several are loaded.', default: null }),
    zmqblock: setting(urlFormat(['tcp', 'ipc']), {
      doc: 'ZMQ rawblock endpoint (optional: polls without).',
      default: null,
    }),
    zmqtx: setting(urlFormat(['tcp', 'ipc']), { doc: 'ZMQ rawtx endpoint (optional).', default: null }),
  },
  peer: {
    reconnect: {
      enabled: setting(booleanFormat(), { doc: 'Reconnect to peers we have channels with.', default: true }),
      'initial-delay': setting(durationFormat(), {
        doc: 'First reconnection delay (randomised up to it).',
        default: 5000,
      }),
      'max-delay': setting(durationFormat(), {
        doc: 'Upper bound of the exponential back-off.',
        default: 3_600_000,
      }),
    },
  },
};

type Issues = ReturnType<Rule['apply']>;

const rules: Rule[] = [
  {
    doc: 'api.password is required when api.enabled = true.',
    apply: (c): Issues =>
      c.get('api.enabled') === true && c.get('api.password') === null
        ? [{ code: 'CONFIG_MISSING', key: 'api.password', reason: 'is required when api.enabled = true' }]
        : [],
  },
  {
    doc: 'bitcoind.rpcport follows chain while left at its default.',
    apply: (c): Issues => {
      const chain = c.get('chain') as keyof typeof BITCOIND_RPC_PORTS | null;
      if (c.source('bitcoind.rpcport') === 'default' && chain !== null && chain in BITCOIND_RPC_PORTS) {
        c.set('bitcoind.rpcport', BITCOIND_RPC_PORTS[chain], `derived from chain = ${chain}`);
      }
      return [];
    },
  },
  {
    doc: 'bitcoind.cookie is required when bitcoind.auth = safecookie.',
    apply: (c): Issues =>
      c.get('bitcoind.auth') === 'safecookie' && c.get('bitcoind.cookie') === null
        ? [
            {
              code: 'CONFIG_MISSING',
              key: 'bitcoind.cookie',
              reason: 'is required when bitcoind.auth = safecookie',
            },
          ]
        : [],
  },
  {
    doc: 'peer.reconnect.initial-delay must not exceed peer.reconnect.max-delay.',
    apply: (c): Issues => {
      const lo = c.get('peer.reconnect.initial-delay');
      const hi = c.get('peer.reconnect.max-delay');
      return typeof lo === 'number' && typeof hi === 'number' && lo > hi
        ? [
            {
              code: 'CONFIG_BAD_VALUE',
              key: 'peer.reconnect.initial-delay',
              reason: 'must not exceed max-delay',
            },
          ]
        : [];
    },
  },
  {
    doc: 'cluster.leader-elector = etcd needs db.driver = postgres (standby backends share the database).',
    apply: (c): Issues =>
      c.get('cluster.leader-elector') === 'etcd' && c.get('db.driver') !== 'postgres'
        ? [
            {
              code: 'CONFIG_BAD_VALUE',
              key: 'db.driver',
              reason:
                'must be postgres when cluster.leader-elector = etcd (standby backends share one database)',
            },
          ]
        : [],
  },
];

/** The backend's own keys (without the common ones). */
export const backendPart: AppSchema<typeof settings> = { name: 'backend', settings, rules };

/** Everything the backend program reads: common + backend keys. */
export const backendSchema = composeSchema('backend', commonSchema, backendPart);
