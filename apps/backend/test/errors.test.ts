import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../src/api/index.js';
import { basic, call, ENCODINGS, hex, NODE_B, PASSWORD, startServer, type TestServer } from './helpers.js';

const T = { timeout: 10_000 };
const NODE = hex(NODE_B);
/** x = 2^256 - 1 is above the field prime: no such point. */
const OFF_CURVE = `02${'ff'.repeat(32)}`;

function errorOf(a: { json: unknown }): string {
  const e = (a.json as { error?: unknown } | undefined)?.error;
  assert.equal(typeof e, 'string', 'error answers are {"error": "..."}');
  return e as string;
}

describe('authentication', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await t.server.stop();
  });

  it('missing credentials: 401 with a Basic challenge, handler not called', T, async () => {
    t.calls.length = 0;
    const a = await call(t.url, '/getinfo', {}, { auth: null });
    assert.equal(a.status, 401);
    assert.equal(a.headers.get('www-authenticate'), 'Basic realm="Access restricted", charset="UTF-8"');
    assert.match(errorOf(a), /requires authentication/);
    assert.deepEqual(t.calls, []);
  });

  it('wrong password, malformed header, other schemes: 401', T, async () => {
    for (const auth of [
      basic(`${PASSWORD}x`),
      basic(PASSWORD.slice(0, -1)),
      basic(''),
      'Basic !!!',
      `Bearer ${PASSWORD}`,
    ]) {
      const a = await call(t.url, '/getinfo', {}, { auth });
      assert.equal(a.status, 401, auth);
      assert.ok(a.headers.get('www-authenticate'));
    }
    assert.deepEqual(t.calls, []);
  });

  it('the user name is ignored (Eclair docs send none, eclair-cli sends "eclair-cli")', T, async () => {
    assert.equal((await call(t.url, '/getinfo', {}, { auth: basic(PASSWORD, '') })).status, 200);
    assert.equal((await call(t.url, '/getinfo', {}, { auth: basic(PASSWORD, 'eclair-cli') })).status, 200);
  });

  it('unknown paths also need authentication (no path probing)', T, async () => {
    assert.equal((await call(t.url, '/nope', {}, { auth: null })).status, 401);
  });
});

describe('bad requests', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await t.server.stop();
  });

  const cases: Array<{ what: string; path: string; form: Record<string, string>; param: string }> = [
    { what: 'connect without any target', path: '/connect', form: {}, param: 'uri' },
    { what: 'uri without @', path: '/connect', form: { uri: '10.0.0.1:9735' }, param: 'uri' },
    {
      what: 'uri with a short node id',
      path: '/connect',
      form: { uri: `${NODE.slice(2)}@10.0.0.1` },
      param: 'uri',
    },
    {
      what: 'uri with an off-curve node id',
      path: '/connect',
      form: { uri: `${OFF_CURVE}@10.0.0.1` },
      param: 'uri',
    },
    { what: 'uri with unbracketed IPv6', path: '/connect', form: { uri: `${NODE}@::1:9735` }, param: 'uri' },
    { what: 'uri with a bad port', path: '/connect', form: { uri: `${NODE}@10.0.0.1:99999` }, param: 'uri' },
    { what: 'uri with port 0', path: '/connect', form: { uri: `${NODE}@10.0.0.1:0` }, param: 'uri' },
    { what: 'uri with an empty host', path: '/connect', form: { uri: `${NODE}@` }, param: 'uri' },
    { what: 'nodeId not hex', path: '/connect', form: { nodeId: 'zz'.repeat(33) }, param: 'nodeId' },
    {
      what: 'nodeId with 04 prefix',
      path: '/connect',
      form: { nodeId: `04${NODE.slice(2)}` },
      param: 'nodeId',
    },
    {
      what: 'port out of range',
      path: '/connect',
      form: { nodeId: NODE, host: '10.0.0.1', port: '70000' },
      param: 'port',
    },
    {
      what: 'port not a number',
      path: '/connect',
      form: { nodeId: NODE, host: '10.0.0.1', port: '97a' },
      param: 'port',
    },
    { what: 'port without host', path: '/connect', form: { nodeId: NODE, port: '9735' }, param: 'host' },
    {
      what: 'host with a port in it',
      path: '/connect',
      form: { nodeId: NODE, host: '10.0.0.1:9735' },
      param: 'host',
    },
    { what: 'empty host', path: '/connect', form: { nodeId: NODE, host: '' }, param: 'host' },
    { what: 'host with @', path: '/connect', form: { nodeId: NODE, host: 'a@b' }, param: 'host' },
    { what: 'disconnect without nodeId', path: '/disconnect', form: {}, param: 'nodeId' },
    {
      what: 'disconnect with a bad nodeId',
      path: '/disconnect',
      form: { nodeId: OFF_CURVE },
      param: 'nodeId',
    },
    {
      what: 'timeoutSeconds not a duration',
      path: '/getinfo',
      form: { timeoutSeconds: 'soon' },
      param: 'timeoutSeconds',
    },
    {
      what: 'timeoutSeconds too long',
      path: '/getinfo',
      form: { timeoutSeconds: '2h' },
      param: 'timeoutSeconds',
    },
  ];
  for (const encoding of ENCODINGS) {
    for (const c of cases) {
      it(`${encoding}: ${c.what} -> 400 naming '${c.param}'`, T, async () => {
        t.calls.length = 0;
        const a = await call(t.url, c.path, c.form, { encoding });
        assert.equal(a.status, 400, a.text);
        assert.ok(errorOf(a).includes(`'${c.param}'`), errorOf(a));
        assert.deepEqual(t.calls, [], 'the handler is not called');
      });
    }
  }

  it('a field given twice -> 400 naming it', T, async () => {
    const body = `nodeId=${NODE}&nodeId=${NODE}`;
    const a = await call(
      t.url,
      '/disconnect',
      {},
      { body, contentType: 'application/x-www-form-urlencoded' },
    );
    assert.equal(a.status, 400);
    assert.match(errorOf(a), /'nodeId' was given more than once/);
  });

  it('JSON bodies -> 415', T, async () => {
    const a = await call(
      t.url,
      '/disconnect',
      {},
      { body: `{"nodeId":"${NODE}"}`, contentType: 'application/json' },
    );
    assert.equal(a.status, 415);
    assert.match(errorOf(a), /x-www-form-urlencoded or multipart\/form-data/);
  });

  it('multipart without a boundary -> 400', T, async () => {
    const a = await call(t.url, '/disconnect', {}, { body: 'x', contentType: 'multipart/form-data' });
    assert.equal(a.status, 400);
    assert.match(errorOf(a), /boundary/);
  });

  it('a body over the limit -> 413', T, async () => {
    const a = await call(
      t.url,
      '/disconnect',
      {},
      {
        body: `nodeId=${'a'.repeat(70 * 1024)}`,
        contentType: 'application/x-www-form-urlencoded',
      },
    );
    assert.equal(a.status, 413);
    assert.match(errorOf(a), /larger than 65536 bytes/);
  });

  it('a chunked body (no Content-Length) over the limit -> 413', T, async () => {
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${t.url}/disconnect`,
        {
          method: 'POST',
          headers: { authorization: basic(PASSWORD), 'content-type': 'application/x-www-form-urlencoded' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: body }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      // Two chunks: the second crosses the limit while the body is being read.
      req.write(`nodeId=${'a'.repeat(40 * 1024)}`);
      req.end('b'.repeat(40 * 1024));
    });
    assert.equal(status, 413);
    assert.match(text, /larger than 65536 bytes/);
  });

  it('unknown path -> 404', T, async () => {
    const a = await call(t.url, '/getinf');
    assert.equal(a.status, 404);
    assert.equal(errorOf(a), 'The requested resource could not be found.');
  });

  it('GET, PUT, DELETE on a POST call -> 405 with Allow: POST', T, async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const a = await call(t.url, '/getinfo', {}, { method });
      assert.equal(a.status, 405, method);
      assert.equal(a.headers.get('allow'), 'POST');
      assert.equal(errorOf(a), 'HTTP method not allowed, supported methods: POST');
    }
  });
});

describe('handler failures', () => {
  it('an unexpected error -> 500 with an error id that is in the log, not the error text', T, async () => {
    const t = await startServer({
      getInfo: async () => {
        throw new Error('database exploded at /var/secret/path');
      },
    });
    try {
      const a = await call(t.url, '/getinfo');
      assert.equal(a.status, 500);
      const m = /error id ([0-9a-f-]{36})/.exec(errorOf(a));
      assert.ok(m, errorOf(a));
      assert.ok(!a.text.includes('exploded'));
      const line = t.logLines.find((l) => l.includes(m[1]!));
      assert.ok(line, 'the error id is logged');
      const logged = JSON.parse(line) as { level: string; call: string; err: { message: string } };
      assert.equal(logged.level, 'error');
      assert.equal(logged.call, 'getinfo');
      assert.match(logged.err.message, /database exploded/);
    } finally {
      await t.server.stop();
    }
  });

  it('an ApiError from a handler keeps its status and message', T, async () => {
    const t = await startServer({
      disconnect: async () => {
        throw new ApiError('API_NOT_FOUND', 'peer not found', {});
      },
    });
    try {
      const a = await call(t.url, '/disconnect', { nodeId: NODE });
      assert.equal(a.status, 404);
      assert.equal(errorOf(a), 'peer not found');
    } finally {
      await t.server.stop();
    }
  });

  it('a handler that never answers -> 408 after the timeout, and its signal is aborted', T, async () => {
    let seen: AbortSignal | undefined;
    const t = await startServer(
      {
        peers: (ctx) => {
          seen = ctx.signal;
          return new Promise(() => {});
        },
      },
      { defaultTimeoutMs: 50 },
    );
    try {
      const a = await call(t.url, '/peers');
      assert.equal(a.status, 408);
      assert.equal(errorOf(a), 'request timed out');
      assert.equal(seen?.aborted, true);
    } finally {
      await t.server.stop();
    }
  });

  it('stop() aborts calls in flight and closes their connections', T, async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => {
      entered = r;
    });
    let seen: AbortSignal | undefined;
    const t = await startServer({
      peers: (ctx) => {
        seen = ctx.signal;
        entered();
        return new Promise(() => {});
      },
    });
    const pending = call(t.url, '/peers').then(
      (a) => a.status,
      () => 'closed',
    );
    await inHandler;
    await t.server.stop();
    const outcome = await pending;
    assert.ok(outcome === 503 || outcome === 'closed', String(outcome));
    assert.equal(seen?.aborted, true);
  });
});
