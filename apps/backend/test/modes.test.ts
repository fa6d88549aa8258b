import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@shoal/log';
import { ApiError, badParam, createApiServer, formCall } from '../src/api/index.js';
import { basic, call, ENCODINGS, fakeHandlers, hex, NODE_B, PASSWORD, startServer } from './helpers.js';

const T = { timeout: 10_000 };

describe('WAITING_TO_START (standby backend)', () => {
  it(
    '/v1/state and getinfo answer WAITING_TO_START without asking the handlers; other calls 503',
    T,
    async () => {
      const t = await startServer({}, { waitingToStart: true });
      try {
        assert.equal(t.server.waitingToStart, true);
        for (const method of ['GET', 'POST']) {
          const s = await call(t.url, '/v1/state', {}, { method });
          assert.equal(s.status, 200);
          assert.deepEqual(s.json, { state: 'WAITING_TO_START' });
        }
        assert.deepEqual((await call(t.url, '/getinfo')).json, { state: 'WAITING_TO_START' });
        for (const encoding of ENCODINGS) {
          for (const [path, form] of [
            ['/peers', {}],
            ['/connect', { uri: `${hex(NODE_B)}@127.0.0.1:9735` }],
            ['/disconnect', { nodeId: hex(NODE_B) }],
            ['/cluster', {}],
          ] as const) {
            const a = await call(t.url, path, form, { encoding });
            assert.equal(a.status, 503, path);
            assert.equal(a.headers.get('retry-after'), '5');
            assert.match(
              (a.json as { error: string }).error,
              /WAITING_TO_START.*only \/v1\/state.*none known yet/,
            );
          }
        }
        // The active backend, once known, is named by both answers.
        t.server.setWaitingToStart(true, 'backend-a (epoch 7)');
        assert.deepEqual((await call(t.url, '/getinfo')).json, {
          state: 'WAITING_TO_START',
          leader: 'backend-a (epoch 7)',
        });
        const named = await call(t.url, '/peers');
        assert.equal(named.status, 503);
        assert.match(
          (named.json as { error: string }).error,
          /use the active backend: backend-a \(epoch 7\)/,
        );
        assert.deepEqual(t.calls, []);
        // Authentication still comes first, and unknown paths are still 404.
        assert.equal((await call(t.url, '/getinfo', {}, { auth: null })).status, 401);
        assert.equal((await call(t.url, '/nope')).status, 404);

        t.server.setWaitingToStart(false);
        assert.deepEqual((await call(t.url, '/v1/state')).json, { state: 'RUNNING' });
        assert.equal((await call(t.url, '/getinfo')).status, 200);
        assert.deepEqual(t.calls, [{ call: 'state' }, { call: 'getInfo' }]);

        t.server.setWaitingToStart(true);
        assert.equal((await call(t.url, '/peers')).status, 503);
        assert.deepEqual((await call(t.url, '/v1/state')).json, { state: 'WAITING_TO_START' });
      } finally {
        await t.server.stop();
      }
    },
  );

  it('publicState serves /v1/state without a password, and nothing else', T, async () => {
    const t = await startServer({}, { publicState: true, waitingToStart: true });
    try {
      assert.deepEqual((await call(t.url, '/v1/state', {}, { auth: null, method: 'GET' })).json, {
        state: 'WAITING_TO_START',
      });
      assert.equal((await call(t.url, '/getinfo', {}, { auth: null })).status, 401);
    } finally {
      await t.server.stop();
    }
  });
});

describe('secrets', () => {
  it('no response header, body or log line carries the password, on any path', T, async () => {
    const t = await startServer({
      peers: async () => {
        throw new Error('boom');
      },
    });
    const encoded = Buffer.from(`:${PASSWORD}`).toString('base64');
    const seen: string[] = [];
    try {
      const requests: Array<Parameters<typeof call>> = [
        [t.url, '/getinfo'],
        [t.url, '/getinfo', {}, { auth: basic('wrong') }],
        [t.url, '/getinfo', {}, { auth: null }],
        [t.url, '/peers'],
        [t.url, '/nope'],
        [t.url, '/getinfo', {}, { method: 'GET' }],
        [t.url, '/connect', { uri: 'x' }],
        [t.url, '/connect', { nodeId: hex(NODE_B), host: '127.0.0.1' }, { encoding: 'multipart' }],
        [t.url, '/v1/state'],
      ];
      for (const args of requests) {
        const a = await call(...args);
        seen.push(a.text, JSON.stringify([...a.headers]));
      }
    } finally {
      await t.server.stop();
    }
    assert.ok(t.logLines.length > 10, 'debug logging was on');
    for (const text of [...seen, ...t.logLines]) {
      assert.ok(!text.includes(PASSWORD), text);
      assert.ok(!text.includes(encoded), text);
    }
  });

  it('an empty password is refused', T, () => {
    const { handlers } = fakeHandlers();
    assert.throws(
      () =>
        createApiServer({ logger: createLogger(), handlers }, { host: '127.0.0.1', port: 0, password: '' }),
      (e: unknown) => e instanceof ApiError && e.code === 'API_BAD_OPTION',
    );
  });
});

describe('metrics', () => {
  it('requestDone gets the call name (or unknown) and the status', T, async () => {
    const seen: Array<[string, number]> = [];
    const { handlers } = fakeHandlers();
    const server = createApiServer(
      {
        logger: createLogger({ sink: { write: () => true } }),
        handlers,
        metrics: {
          requestDone: (c, status, seconds) => {
            assert.ok(seconds >= 0);
            seen.push([c, status]);
          },
        },
      },
      { host: '127.0.0.1', port: 0, password: PASSWORD, authFailureDelayMs: 0 },
    );
    await server.start();
    try {
      const url = `http://127.0.0.1:${server.port}`;
      await call(url, '/getinfo');
      await call(url, '/some/random/path');
      await call(url, '/peers', {}, { auth: null });
    } finally {
      await server.stop();
    }
    assert.deepEqual(seen, [
      ['getinfo', 200],
      ['unknown', 404],
      ['peers', 401],
    ]);
  });
});

describe('extra calls (formCall)', () => {
  it(
    'serves raw-form handlers with both encodings, maps their client errors, refuses taken names',
    T,
    async () => {
      class WalletLikeError extends Error {
        constructor(
          message: string,
          readonly param: string,
        ) {
          super(message);
        }
      }
      const seen: Array<Readonly<Record<string, string>>> = [];
      const sendonchain = formCall(
        'sendonchain',
        async (fields) => {
          seen.push(fields);
          if (fields.amountSatoshis === '0')
            throw new WalletLikeError('amountSatoshis must be positive', 'amountSatoshis');
          if (fields.address === 'boom') throw new Error('unexpected');
          return 'f'.repeat(64);
        },
        { clientError: (e) => (e instanceof WalletLikeError ? badParam(e.param, e.message) : undefined) },
      );
      const { handlers } = fakeHandlers();
      assert.throws(
        () =>
          createApiServer(
            { logger: createLogger(), handlers, extraCalls: [formCall('getinfo', async () => 1)] },
            { host: '127.0.0.1', port: 0, password: PASSWORD },
          ),
        (e: unknown) => e instanceof ApiError && e.code === 'API_BAD_OPTION',
      );
      const logLines: string[] = [];
      const server = createApiServer(
        {
          logger: createLogger({ sink: { write: (l: string) => logLines.push(l) } }),
          handlers,
          extraCalls: [sendonchain],
        },
        { host: '127.0.0.1', port: 0, password: PASSWORD, authFailureDelayMs: 0 },
      );
      await server.start();
      try {
        const url = `http://127.0.0.1:${server.port}`;
        for (const encoding of ENCODINGS) {
          const ok = await call(
            url,
            '/sendonchain',
            { address: 'bcrt1qxyz', amountSatoshis: '1000' },
            { encoding },
          );
          assert.equal(ok.status, 200);
          assert.equal(ok.json, 'f'.repeat(64));
        }
        assert.deepEqual(
          seen.map((f) => ({ ...f })),
          [
            { address: 'bcrt1qxyz', amountSatoshis: '1000' },
            { address: 'bcrt1qxyz', amountSatoshis: '1000' },
          ],
        );
        assert.equal(seen[0]!.constructor, undefined, 'fields have no prototype');
        const bad = await call(url, '/sendonchain', { address: 'bcrt1qxyz', amountSatoshis: '0' });
        assert.equal(bad.status, 400);
        assert.match((bad.json as { error: string }).error, /'amountSatoshis'/);
        const boom = await call(url, '/sendonchain', { address: 'boom', amountSatoshis: '1' });
        assert.equal(boom.status, 500);
        assert.ok(logLines.some((l) => l.includes('unexpected')));
        server.setWaitingToStart(true);
        assert.equal((await call(url, '/sendonchain', { address: 'x', amountSatoshis: '1' })).status, 503);
      } finally {
        await server.stop();
      }
    },
  );
});

describe('audit log', () => {
  it('calls that change the node are logged at info level, reads at debug', T, async () => {
    const t = await startServer();
    try {
      await call(t.url, '/getinfo');
      await call(t.url, '/disconnect', { nodeId: hex(NODE_B) });
    } finally {
      await t.server.stop();
    }
    const lines = t.logLines.map(
      (l) => JSON.parse(l) as { level: string; msg: string; call?: string; status?: number },
    );
    assert.ok(lines.some((l) => l.level === 'debug' && l.call === 'getinfo' && l.status === 200));
    assert.ok(
      lines.some(
        (l) => l.level === 'info' && l.msg === 'API call' && l.call === 'disconnect' && l.status === 200,
      ),
    );
    assert.ok(!lines.some((l) => l.level === 'info' && l.call === 'getinfo'));
  });
});
