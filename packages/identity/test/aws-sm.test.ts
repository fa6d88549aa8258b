import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { IdentityError, KeyRing, loadAwsSmKey, loadNodeKey } from '../src/index.js';
import { type FakeSecretsManager, startFakeSecretsManager, unusedEndpoint } from './fake-secrets-manager.js';

const T = { timeout: 20_000 };
const SEED = Buffer.alloc(32, 7);
const NODE = KeyRing.fromSeed(SEED, 'regtest').nodeKey();
const PRIV_HEX = NODE.privateKey.toString('hex');
const OTHER_PRIV_HEX = '11'.repeat(32);
const CREDS = { accessKeyId: 'AKIDSHOALTEST', secretAccessKey: 'shoal-test-secret-access-key' };

function assertNoSecret(err: unknown, ...secrets: string[]): void {
  assert.ok(err instanceof IdentityError);
  const text = `${err.message} ${JSON.stringify(err)} ${err.stack ?? ''}`;
  for (const s of secrets) assert.ok(!text.includes(s), `error leaks a secret: ${err.message}`);
}

describe('aws-sm provider against a local GetSecretValue endpoint', () => {
  let fake: FakeSecretsManager;
  before(async () => {
    fake = await startFakeSecretsManager(
      {
        'node-priv-key': { string: PRIV_HEX },
        'node-json': { string: JSON.stringify({ nodePrivKey: PRIV_HEX, note: 'shoal' }) },
        'node-binary': { binary: NODE.privateKey },
        'node-other': { string: OTHER_PRIV_HEX },
        'node-garbage': { string: `${PRIV_HEX.slice(0, 40)}zz` },
        'node-bad-json': { string: `{"nodePrivKey": "${PRIV_HEX}"` },
        'node-json-wrong-field': { string: JSON.stringify({ key: PRIV_HEX }) },
      },
      { [CREDS.accessKeyId]: CREDS.secretAccessKey },
    );
  });
  after(() => fake.close());

  const opts = (secretId: string) => ({
    secretId,
    region: 'us-east-1',
    endpoint: fake.endpoint,
    credentials: CREDS,
    maxAttempts: 1,
  });

  it('reads a hex SecretString through a SigV4-signed JSON 1.1 request', T, async () => {
    const before = fake.requests.length;
    const key = await loadAwsSmKey(opts('node-priv-key'));
    assert.equal(key.nodeId, NODE.nodeId);
    assert.equal(key.source, 'aws-sm');
    const seen = fake.requests.slice(before);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.target, 'secretsmanager.GetSecretValue');
    assert.equal(seen[0]!.contentType, 'application/x-amz-json-1.1');
    assert.equal(seen[0]!.accessKeyId, CREDS.accessKeyId);
    assert.equal(seen[0]!.secretId, 'node-priv-key');
    assert.equal(seen[0]!.signatureValid, true);
  });

  it('reads the JSON {"nodePrivKey"} format and SecretBinary', T, async () => {
    assert.equal((await loadAwsSmKey(opts('node-json'))).nodeId, NODE.nodeId);
    assert.equal((await loadAwsSmKey(opts('node-binary'))).nodeId, NODE.nodeId);
  });

  it('loadNodeKey checks the fetched key against NODE_PUB_KEY', T, async () => {
    const key = await loadNodeKey({
      provider: 'aws-sm',
      ...opts('node-priv-key'),
      expectedPubKey: NODE.nodeId,
    });
    assert.equal(key.nodeId, NODE.nodeId);
    await assert.rejects(
      loadNodeKey({ provider: 'aws-sm', ...opts('node-other'), expectedPubKey: NODE.nodeId }),
      (err: unknown) => {
        assertNoSecret(err, OTHER_PRIV_HEX, CREDS.secretAccessKey);
        assert.equal((err as IdentityError).code, 'IDENTITY_KEY_MISMATCH');
        assert.match((err as IdentityError).message, new RegExp(NODE.nodeId));
        return true;
      },
    );
  });

  it('maps a missing secret to IDENTITY_SECRET_NOT_FOUND', T, async () => {
    await assert.rejects(loadAwsSmKey(opts('no-such-secret')), (err: unknown) => {
      assert.ok(err instanceof IdentityError);
      assert.equal(err.code, 'IDENTITY_SECRET_NOT_FOUND');
      assert.match(err.message, /no-such-secret/);
      assert.equal(err.meta.awsError, 'ResourceNotFoundException');
      return true;
    });
  });

  it(
    'maps a refused request, an unknown key id and a bad signature to IDENTITY_SECRET_ACCESS_DENIED',
    T,
    async () => {
      const cases = [
        { o: opts('forbidden'), aws: 'AccessDeniedException' },
        {
          o: { ...opts('node-priv-key'), credentials: { ...CREDS, accessKeyId: 'AKIDUNKNOWN' } },
          aws: 'UnrecognizedClientException',
        },
        {
          o: { ...opts('node-priv-key'), credentials: { ...CREDS, secretAccessKey: 'wrong-secret' } },
          aws: 'InvalidSignatureException',
        },
      ];
      for (const { o, aws } of cases) {
        await assert.rejects(loadAwsSmKey(o), (err: unknown) => {
          assertNoSecret(err, CREDS.secretAccessKey, 'wrong-secret', PRIV_HEX);
          assert.equal((err as IdentityError).code, 'IDENTITY_SECRET_ACCESS_DENIED');
          assert.equal((err as IdentityError).meta.awsError, aws);
          return true;
        });
      }
    },
  );

  it('maps an unreachable endpoint to IDENTITY_PROVIDER_UNREACHABLE', T, async () => {
    const endpoint = await unusedEndpoint();
    await assert.rejects(loadAwsSmKey({ ...opts('node-priv-key'), endpoint }), (err: unknown) => {
      assert.ok(err instanceof IdentityError);
      assert.equal(err.code, 'IDENTITY_PROVIDER_UNREACHABLE');
      assert.match(err.message, new RegExp(endpoint.replace(/[.]/g, '\\.')));
      return true;
    });
  });

  it('maps an endpoint that accepts but never answers to IDENTITY_PROVIDER_UNREACHABLE', T, async (t) => {
    const sockets = new Set<Socket>();
    const hole = createServer((sock) => {
      sockets.add(sock);
      sock.on('error', () => sockets.delete(sock));
    });
    // Runs even if the test times out, so a stuck request cannot keep the process alive.
    t.after(async () => {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => hole.close(() => resolve()));
    });
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', () => resolve()));
    const { port } = hole.address() as AddressInfo;
    await assert.rejects(
      loadAwsSmKey({ ...opts('node-priv-key'), endpoint: `http://127.0.0.1:${port}`, requestTimeoutMs: 300 }),
      (err: unknown) => {
        assert.ok(err instanceof IdentityError);
        assert.equal(err.code, 'IDENTITY_PROVIDER_UNREACHABLE', err.message);
        return true;
      },
    );
  });

  it('maps a missing or invalid region to IDENTITY_BAD_OPTIONS', T, async () => {
    await assert.rejects(
      loadAwsSmKey({ ...opts('node-priv-key'), region: 'not a region' }),
      (err: unknown) => {
        assert.ok(err instanceof IdentityError);
        assert.equal(err.code, 'IDENTITY_BAD_OPTIONS');
        assert.match(err.message, /AWS_REGION/);
        return true;
      },
    );
  });

  it('rejects malformed secrets as IDENTITY_BAD_KEY without quoting them', T, async () => {
    for (const id of ['node-garbage', 'node-bad-json', 'node-json-wrong-field']) {
      await assert.rejects(loadAwsSmKey(opts(id)), (err: unknown) => {
        assertNoSecret(err, PRIV_HEX, PRIV_HEX.slice(0, 40));
        assert.equal((err as IdentityError).code, 'IDENTITY_BAD_KEY');
        assert.match((err as IdentityError).message, new RegExp(id));
        return true;
      });
    }
  });
});
