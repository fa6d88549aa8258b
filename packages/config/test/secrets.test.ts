import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  backendSchema,
  ConfigError,
  describeConfig,
  frontendSchema,
  loadConfig,
  REDACTED,
  toSafeJSON,
} from '../src/index.js';
import { G_PUB, tempDatadir } from './helpers.js';

const SECRET = 'hunter2-very-secret';
const PRIV = `${'c0ffee'.repeat(10)}abcd`;

describe('secrets are never printed', { timeout: 20_000 }, () => {
  const d = tempDatadir(`api { enabled = true, password = "${SECRET}" }\ndb.postgres.password = "${SECRET}"`);
  after(() => d.cleanup());

  it('describeConfig, toSafeJSON, JSON.stringify and util.inspect mask every secret', () => {
    const c = loadConfig(backendSchema, { datadir: d.dir, env: { CLUSTER_TLS_PASSWORD: SECRET }, argv: [] });
    assert.equal(c.api.password, SECRET); // the program itself gets the value
    for (const out of [
      describeConfig(c),
      JSON.stringify(toSafeJSON(c)),
      JSON.stringify(c),
      inspect(c, { depth: 10 }),
    ]) {
      assert.ok(!out.includes(SECRET), out);
      assert.ok(out.includes(REDACTED));
    }
    assert.match(describeConfig(c), /^api\.password = <redacted> \(file /m);
    assert.match(describeConfig(c), /^bitcoind\.rpcpassword = unset \(default\)$/m);
  });

  it('bad secret values are refused without echoing them', () => {
    const cases: Array<{ env: Record<string, string>; argv: string[] }> = [
      { env: { NODE_PUB_KEY: G_PUB, NODE_PRIV_KEY: PRIV.replace(/d$/, 'z') }, argv: [] },
      { env: { NODE_PUB_KEY: G_PUB }, argv: [`--front.priv-key=${PRIV}00`] },
      { env: { NODE_PUB_KEY: G_PUB, SHOAL_CONF: `front.priv-key=${'f'.repeat(64)}` }, argv: [] },
    ];
    for (const { env, argv } of cases) {
      let err: unknown;
      try {
        loadConfig(frontendSchema, { datadir: d.dir.replace(/$/, '-none'), env, argv });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, 'CONFIG_BAD_VALUE');
      const texts = [err.message, JSON.stringify(err), String(err.stack), inspect(err)];
      for (const t of texts) {
        assert.ok(!t.includes(PRIV.slice(0, 40)) && !t.includes('f'.repeat(40)), t);
      }
      assert.match(err.message, /front\.priv-key: /);
    }
  });

  it('a parse error on a line holding a secret does not quote the line', () => {
    const bad = tempDatadir(`api.password = "${SECRET}" trailing`);
    try {
      let msg = '';
      try {
        loadConfig(backendSchema, { datadir: bad.dir, env: {}, argv: [] });
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        msg = `${e.message}${JSON.stringify(e)}`;
      }
      assert.match(msg, /shoal\.conf:1:/);
      assert.ok(!msg.includes(SECRET) && !msg.includes('hunter'));
    } finally {
      bad.cleanup();
    }
  });
});
