import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  assertNodeKeyMatches,
  deriveNodeKey,
  ensureNodeSeed,
  IdentityError,
  type LoadNodeKeyOptions,
  loadEnvKey,
  loadNodeKey,
  NodeKey,
} from '../src/index.js';

const T = { timeout: 10_000 };
const PRIV = Buffer.alloc(32, 0x42);
const PRIV_HEX = PRIV.toString('hex');
const KEY = NodeKey.fromPrivateKey(PRIV, 'test');
const OTHER = NodeKey.fromPrivateKey(Buffer.alloc(32, 0x43), 'test');

/** Checks code and that no private key (given as hex) appears anywhere in the error. */
function rejectsWith(code: string, ...secrets: string[]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof IdentityError, `not an IdentityError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    const shown = `${err.message}\n${JSON.stringify(err)}\n${err.stack ?? ''}`;
    for (const s of secrets)
      assert.ok(!shown.toLowerCase().includes(s.toLowerCase()), `leaks a secret: ${err.message}`);
    return true;
  };
}

describe('env provider', () => {
  it('reads NODE_PRIV_KEY (or an explicit privKey) and checks NODE_PUB_KEY', T, async () => {
    const env = { NODE_PRIV_KEY: ` ${PRIV_HEX.toUpperCase()}\n` };
    const key = await loadNodeKey({ provider: 'env', env, expectedPubKey: KEY.nodeId });
    assert.equal(key.nodeId, KEY.nodeId);
    assert.equal(key.source, 'env');
    assert.deepEqual(key.privateKey, PRIV);
    const viaConfig = await loadNodeKey({
      provider: 'env',
      privKey: PRIV_HEX,
      env: {},
      expectedPubKey: KEY.publicKey,
    });
    assert.equal(viaConfig.nodeId, KEY.nodeId);
  });

  it('refuses to start on a mismatch, naming both public keys and never the private key', T, async () => {
    await assert.rejects(
      loadNodeKey({ provider: 'env', env: { NODE_PRIV_KEY: PRIV_HEX }, expectedPubKey: OTHER.nodeId }),
      (err: unknown) => {
        rejectsWith('IDENTITY_KEY_MISMATCH', PRIV_HEX)(err);
        const e = err as IdentityError;
        assert.ok(e.message.includes(KEY.nodeId), e.message);
        assert.ok(e.message.includes(OTHER.nodeId), e.message);
        assert.deepEqual(e.meta, { source: 'env', actual: KEY.nodeId, expected: OTHER.nodeId });
        return true;
      },
    );
  });

  it('rejects a missing or malformed NODE_PRIV_KEY without echoing it', T, async () => {
    await assert.rejects(loadEnvKey({ env: {} }), rejectsWith('IDENTITY_BAD_OPTIONS'));
    const nearMiss = `${PRIV_HEX.slice(0, 62)}zz`;
    for (const bad of [PRIV_HEX.slice(2), `${PRIV_HEX}00`, nearMiss]) {
      await assert.rejects(loadEnvKey({ env: { NODE_PRIV_KEY: bad } }), rejectsWith('IDENTITY_BAD_KEY', bad));
    }
    // Zero and the curve order are 64 hex characters but not private keys.
    const order = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';
    for (const bad of ['00'.repeat(32), order]) {
      await assert.rejects(loadEnvKey({ privKey: bad }), rejectsWith('IDENTITY_BAD_KEY', bad));
    }
  });
});

describe('loadNodeKey options', () => {
  it('requires NODE_PUB_KEY and checks it before fetching any secret', T, async () => {
    for (const expectedPubKey of ['', '  ', undefined, null]) {
      const options = { provider: 'env', env: {}, expectedPubKey } as unknown as LoadNodeKeyOptions;
      // env is empty: a provider call would fail differently (IDENTITY_BAD_OPTIONS about NODE_PRIV_KEY).
      await assert.rejects(loadNodeKey(options), (err: unknown) => {
        rejectsWith('IDENTITY_BAD_OPTIONS')(err);
        assert.match((err as Error).message, /NODE_PUB_KEY/);
        return true;
      });
    }
  });

  it('rejects a malformed NODE_PUB_KEY, and does not echo a private key pasted into it', T, async () => {
    await assert.rejects(
      loadNodeKey({ provider: 'env', env: { NODE_PRIV_KEY: PRIV_HEX }, expectedPubKey: PRIV_HEX }),
      rejectsWith('IDENTITY_BAD_KEY', PRIV_HEX),
    );
    const notOnCurve = `02${'00'.repeat(32)}`;
    await assert.rejects(
      loadNodeKey({ provider: 'env', env: { NODE_PRIV_KEY: PRIV_HEX }, expectedPubKey: notOnCurve }),
      (err: unknown) => rejectsWith('IDENTITY_BAD_KEY')(err) && (err as Error).message.includes(notOnCurve),
    );
  });

  it('rejects an unknown provider', T, async () => {
    const options = { provider: 'vault', expectedPubKey: KEY.nodeId } as unknown as LoadNodeKeyOptions;
    await assert.rejects(loadNodeKey(options), rejectsWith('IDENTITY_BAD_OPTIONS'));
  });

  it('assertNodeKeyMatches returns the key when it matches', T, () => {
    assert.equal(assertNodeKeyMatches(KEY, KEY.nodeId.toUpperCase()), KEY);
  });
});

describe('seed provider', () => {
  let datadir: string;
  beforeEach(async () => {
    datadir = await mkdtemp(join(tmpdir(), 'shoal-identity-'));
  });
  afterEach(() => rm(datadir, { recursive: true, force: true }));

  it("derives the backend's node key from a copy of its seed", T, async () => {
    const seed = await ensureNodeSeed(datadir);
    const backend = deriveNodeKey(seed, 'regtest');
    const front = await loadNodeKey({
      provider: 'seed',
      datadir,
      chain: 'regtest',
      expectedPubKey: backend.nodeId,
    });
    assert.equal(front.nodeId, backend.nodeId);
    assert.deepEqual(front.privateKey, backend.privateKey);
  });

  it('a seed for another chain gives another key: a mismatch', T, async () => {
    const seed = await ensureNodeSeed(datadir);
    const backend = deriveNodeKey(seed, 'mainnet');
    await assert.rejects(
      loadNodeKey({ provider: 'seed', datadir, chain: 'regtest', expectedPubKey: backend.nodeId }),
      rejectsWith('IDENTITY_KEY_MISMATCH', seed.toString('hex'), backend.privateKey.toString('hex')),
    );
  });

  it('a frontend without a seed fails with IDENTITY_SEED_MISSING and creates nothing', T, async () => {
    await assert.rejects(
      loadNodeKey({ provider: 'seed', datadir, chain: 'regtest', expectedPubKey: KEY.nodeId }),
      rejectsWith('IDENTITY_SEED_MISSING'),
    );
    assert.deepEqual(await readdir(datadir), []);
  });
});

describe('IdentityError', () => {
  it('round-trips through JSON with code and metadata', T, () => {
    const err = new IdentityError('IDENTITY_KEY_MISMATCH', 'm', { actual: 'a', expected: 'b' });
    const back = IdentityError.fromJSON(JSON.parse(JSON.stringify(err)));
    assert.equal(back.name, 'IdentityError');
    assert.equal(back.code, 'IDENTITY_KEY_MISMATCH');
    assert.equal(back.message, 'm');
    assert.deepEqual(back.meta, { actual: 'a', expected: 'b' });
    assert.ok(back instanceof Error);
  });
});
