import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AppSchema,
  backendSchema,
  ConfigError,
  type ConfigOf,
  composeSchema,
  frontendSchema,
  type HostPort,
  intFormat,
  loadConfig,
  setting,
} from '../src/index.js';
import { G_PUB, tempDatadir } from './helpers.js';

/** Compile-time equality: `Expect<Equal<A, B>>` fails the build when A and B differ. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type Front = ConfigOf<typeof frontendSchema.settings>;
type Back = ConfigOf<typeof backendSchema.settings>;
export type TypeChecks = [
  Expect<Equal<Front['front']['pub-key'], string>>, // required: never null
  Expect<Equal<Front['front']['priv-key'], string | null>>,
  Expect<Equal<Front['server']['port'], number>>,
  Expect<Equal<Front['cluster']['seed-nodes'], readonly HostPort[]>>,
  Expect<Equal<Front['front']['priv-key-provider'], 'seed' | 'env' | 'aws-sm'>>,
  Expect<Equal<Back['chain'], 'mainnet' | 'testnet' | 'signet' | 'regtest'>>,
  Expect<Equal<Back['api']['password'], string | null>>,
  Expect<Equal<Back['api']['enabled'], boolean>>,
  Expect<Equal<Back['db']['driver'], 'sqlite' | 'postgres'>>,
];

describe('schema composition and convict', { timeout: 10_000 }, () => {
  it('a key declared twice while composing is a CONFIG_SCHEMA error', () => {
    const part = {
      name: 'x',
      settings: { cluster: { port: setting(intFormat(), { doc: 'dup', default: 1 }) } },
      rules: [],
    };
    assert.throws(
      () => composeSchema('dup', frontendSchema, part),
      (e: unknown) =>
        e instanceof ConfigError && e.code === 'CONFIG_SCHEMA' && e.meta.issues[0]?.key === 'cluster.port',
    );
  });

  it("convict's strict validation backs up the rules: a rule deriving a bad value is caught", () => {
    const settings = { n: setting(intFormat({ min: 1, max: 5 }), { doc: 'n', default: 1 }) };
    const schema: AppSchema<typeof settings> = {
      name: 'bad-rule',
      settings,
      rules: [
        {
          doc: 'sets n out of range',
          apply: (c) => {
            c.set('n', 99, 'rule');
            return [];
          },
        },
      ],
    };
    const d = tempDatadir();
    try {
      assert.throws(
        () => loadConfig(schema, { datadir: d.dir, env: {}, argv: [] }),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.code === 'CONFIG_BAD_VALUE' &&
          /n: must be between 1 and 5/.test(e.message),
      );
    } finally {
      d.cleanup();
    }
  });

  it('the frontend and backend schemas load with only their required keys', () => {
    const d = tempDatadir();
    try {
      const f = loadConfig(frontendSchema, { datadir: d.dir, env: { NODE_PUB_KEY: G_PUB }, argv: [] });
      assert.equal(f.front['pub-key'], G_PUB);
      const b = loadConfig(backendSchema, { datadir: d.dir, env: {}, argv: ['--chain=regtest'] });
      assert.equal(b.bitcoind.rpcport, 18443);
    } finally {
      d.cleanup();
    }
  });
});
