import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  type AtomicWriteSteps,
  defaultAtomicWriteSteps,
  ensureNodeSeed,
  IdentityError,
  NODE_SEED_FILE,
  nodeSeedPath,
  readNodeSeed,
} from '../src/index.js';

const T = { timeout: 10_000 };

function isCode(code: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof IdentityError, `not an IdentityError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  };
}

describe('node seed file', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'shoal-identity-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it(
    'creates a 32-byte mode-0600 seed (and a 0700 datadir) on first start, reads it afterwards',
    T,
    async () => {
      const datadir = join(root, 'a', 'b');
      const seed = await ensureNodeSeed(datadir);
      assert.equal(seed.length, 32);
      const path = nodeSeedPath(datadir);
      const st = await stat(path);
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal((await stat(datadir)).mode & 0o777, 0o700);
      assert.deepEqual(await readFile(path), seed);
      assert.deepEqual(await readdir(datadir), [NODE_SEED_FILE]);
      const again = await ensureNodeSeed(datadir);
      assert.deepEqual(again, seed);
      assert.equal((await stat(path)).ino, st.ino);
      assert.deepEqual(await readNodeSeed(datadir), seed);
    },
  );

  it('gives every concurrent first start the same seed', T, async () => {
    const seeds = await Promise.all(Array.from({ length: 6 }, () => ensureNodeSeed(root)));
    for (const s of seeds) assert.deepEqual(s, seeds[0]);
    assert.deepEqual(await readdir(root), [NODE_SEED_FILE]);
  });

  it('readNodeSeed never creates: a missing seed is IDENTITY_SEED_MISSING naming the path', T, async () => {
    await assert.rejects(readNodeSeed(root), (err: unknown) => {
      isCode('IDENTITY_SEED_MISSING')(err);
      assert.match((err as Error).message, new RegExp(NODE_SEED_FILE));
      return true;
    });
    assert.deepEqual(await readdir(root), []);
  });

  it('refuses a seed of the wrong size and never overwrites it', T, async () => {
    for (const size of [0, 31, 33, 64]) {
      const content = Buffer.alloc(size, 0xab);
      await writeFile(nodeSeedPath(root), content, { mode: 0o600 });
      await assert.rejects(ensureNodeSeed(root), (err: unknown) => {
        isCode('IDENTITY_SEED_CORRUPT')(err);
        assert.match((err as Error).message, new RegExp(`${size} bytes, expected 32`));
        if (size > 0) assert.ok(!(err as Error).message.includes(content.toString('hex')));
        return true;
      });
      assert.deepEqual(await readFile(nodeSeedPath(root)), content);
      await rm(nodeSeedPath(root));
    }
  });

  it('refuses a seed readable by group or others, saying how to fix it', T, async () => {
    const content = Buffer.alloc(32, 0xcd);
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o602]) {
      await writeFile(nodeSeedPath(root), content);
      await chmod(nodeSeedPath(root), mode);
      await assert.rejects(ensureNodeSeed(root), (err: unknown) => {
        isCode('IDENTITY_SEED_INSECURE')(err);
        assert.match((err as Error).message, /chmod 600/);
        assert.match((err as Error).message, new RegExp(mode.toString(8)));
        assert.ok(!(err as Error).message.includes(content.toString('hex')));
        return true;
      });
      assert.deepEqual(await readFile(nodeSeedPath(root)), content);
    }
    await chmod(nodeSeedPath(root), 0o400);
    assert.deepEqual(await readNodeSeed(root), content);
  });

  it('refuses a seed path that is not a regular file', T, async () => {
    await mkdir(nodeSeedPath(root), { mode: 0o700 });
    await assert.rejects(ensureNodeSeed(root), isCode('IDENTITY_SEED_CORRUPT'));
  });

  it('leaves neither a seed nor a temp file when the write fails before publishing', T, async () => {
    const failures: AtomicWriteSteps[] = [
      {
        ...defaultAtomicWriteSteps,
        // A partial temp file, then the disk fills.
        async writeTemp(tmp, data, mode) {
          await defaultAtomicWriteSteps.writeTemp(tmp, data.subarray(0, 10), mode);
          throw Object.assign(new Error('simulated ENOSPC'), { code: 'ENOSPC' });
        },
      },
      {
        ...defaultAtomicWriteSteps,
        async publish() {
          throw Object.assign(new Error('simulated EIO'), { code: 'EIO' });
        },
      },
    ];
    for (const steps of failures) {
      await assert.rejects(ensureNodeSeed(root, { steps }), (err: unknown) => {
        isCode('IDENTITY_SEED_IO')(err);
        assert.match((err as Error).message, /simulated/);
        return true;
      });
      assert.deepEqual(await readdir(root), []);
    }
  });

  it('a failure after publishing leaves a complete seed that the next start reads', T, async () => {
    const steps: AtomicWriteSteps = {
      ...defaultAtomicWriteSteps,
      async syncDir() {
        throw Object.assign(new Error('simulated directory fsync failure'), { code: 'EIO' });
      },
    };
    await assert.rejects(ensureNodeSeed(root, { steps }), isCode('IDENTITY_SEED_IO'));
    assert.deepEqual(await readdir(root), [NODE_SEED_FILE]);
    const seed = await ensureNodeSeed(root);
    assert.equal(seed.length, 32);
    assert.equal((await stat(nodeSeedPath(root))).mode & 0o777, 0o600);
  });
});
