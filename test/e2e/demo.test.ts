// The README's run command: `bin/demo` starts a backend and two frontends and prints how to use them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TestPeer } from '../lib/peer.js';
import { freePort, startProcess, stopAll } from '../lib/processes.js';
import { ROOT } from '../lib/shoal.js';

describe('bin/demo', { timeout: 120_000 }, () => {
  const datadir = mkdtempSync(join(tmpdir(), 'shoal-demo-'));
  after(async () => {
    await stopAll();
    rmSync(datadir, { recursive: true, force: true });
  });

  it('runs the node on its embedded defaults, prints how to reach it, and stops everything on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DEMO_DATADIR: datadir };
    for (const name of [
      'DEMO_API_PORT',
      'DEMO_CLUSTER_PORT',
      'DEMO_FRONT1_PORT',
      'DEMO_FRONT1_HTTP_PORT',
      'DEMO_FRONT1_CLUSTER_PORT',
      'DEMO_FRONT2_PORT',
      'DEMO_FRONT2_HTTP_PORT',
      'DEMO_FRONT2_CLUSTER_PORT',
    ])
      env[name] = String(await freePort());
    const demo = startProcess('demo', process.execPath, [join(ROOT, 'apps/demo/dist/src/main.js')], { env });
    await demo.waitFor(/Shoal is running/, 90_000);
    const out = demo.output();
    const nodeId = out.match(/node id:\s+([0-9a-f]{66})/)?.[1];
    const password = out.match(/password: (\S+)/)?.[1];
    assert.ok(nodeId && password, 'prints the node id and the API password');
    assert.match(out, new RegExp(`${nodeId}@127\\.0\\.0\\.1:${env.DEMO_FRONT1_PORT}`));

    const res = await fetch(`http://127.0.0.1:${env.DEMO_API_PORT}/getinfo`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`:${password}`).toString('base64')}` },
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { nodeId: string }).nodeId, nodeId);

    const peer = new TestPeer();
    await peer.connect('127.0.0.1', Number(env.DEMO_FRONT2_PORT), nodeId);
    await peer.exchangeInit();
    await peer.ping();
    peer.close();

    demo.kill('SIGTERM');
    const { code } = await demo.exited(30_000);
    assert.equal(code, 0);
    // Every port the demo used is free again: its children are gone.
    const stillUp = await fetch(`http://127.0.0.1:${env.DEMO_FRONT1_HTTP_PORT}/health`).then(
      () => true,
      () => false,
    );
    assert.equal(stillUp, false, 'frontend 1 stopped with the demo');
  });
});
