import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WalletError } from '../src/errors.js';
import { JsonFileWalletPersistence, MemoryWalletPersistence } from '../src/persistence.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-wallet-persist-'));
const isPersistence = (e: unknown) => e instanceof WalletError && e.code === 'WALLET_PERSISTENCE';

describe('wallet persistence', { timeout: 10_000 }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('JSON file: absent is undefined, round-trips, owner-only mode, replaced whole', async () => {
    const p = new JsonFileWalletPersistence(join(dir, 'sub', 'wallet.json'));
    assert.equal(await p.load(), undefined);
    await p.save({ birthday: 5, nextIndex: { receive: 3, change: 1 } });
    await p.save({ birthday: 5, nextIndex: { receive: 4, change: 1 } });
    assert.deepEqual(await p.load(), { birthday: 5, nextIndex: { receive: 4, change: 1 } });
    assert.equal(statSync(p.path).mode & 0o777, 0o600);
  });

  it('JSON file: corrupt or wrong-shaped state is an error, not a fresh wallet', async () => {
    const path = join(dir, 'bad.json');
    const p = new JsonFileWalletPersistence(path);
    writeFileSync(path, '{"birthday": 1, ');
    await assert.rejects(p.load(), isPersistence);
    writeFileSync(path, JSON.stringify({ birthday: -1, nextIndex: { receive: 0, change: 0 } }));
    await assert.rejects(p.load(), isPersistence);
    writeFileSync(path, JSON.stringify({ birthday: 1 }));
    await assert.rejects(p.load(), isPersistence);
  });

  it('memory: keeps a copy', async () => {
    const p = new MemoryWalletPersistence();
    const state = { birthday: 1, nextIndex: { receive: 2, change: 3 } };
    await p.save(state);
    state.nextIndex.receive = 9;
    assert.equal((await p.load())!.nextIndex.receive, 2);
  });
});
