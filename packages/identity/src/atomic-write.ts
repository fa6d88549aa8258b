import { randomBytes } from 'node:crypto';
import { constants, link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The file-system steps of {@link writeFileExclusiveAtomic}, injectable so a test can make one
 * of them fail and check that nothing partial is left behind.
 */
export interface AtomicWriteSteps {
  /** Creates `tmpPath` (must not exist) with `mode`, writes `data`, fsyncs and closes it. */
  writeTemp(tmpPath: string, data: Uint8Array, mode: number): Promise<void>;
  /** Makes `tmpPath` visible as `path` atomically, failing with `EEXIST` when `path` exists. */
  publish(tmpPath: string, path: string): Promise<void>;
  /** fsyncs a directory so the new entry survives a crash. */
  syncDir(dir: string): Promise<void>;
  /** Removes a file (the temp file after publish, or after a failure). */
  remove(path: string): Promise<void>;
}

async function writeTemp(tmpPath: string, data: Uint8Array, mode: number): Promise<void> {
  const handle = await open(tmpPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await handle.writeFile(data);
    // The umask may have narrowed the mode at creation; it can only have removed bits.
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function publish(tmpPath: string, path: string): Promise<void> {
  // link(2) is as atomic as rename(2) but refuses to replace an existing file, so two
  // processes starting at once cannot both "create" a seed and end up with different keys.
  try {
    await link(tmpPath, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    // File systems without hard links: rename, accepting the narrow race above.
    await rename(tmpPath, path);
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } catch (err) {
    // Some platforms refuse fsync on a directory; the data itself is already synced.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw err;
  } finally {
    await handle.close();
  }
}

async function remove(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** The real steps on `node:fs`. */
export const defaultAtomicWriteSteps: AtomicWriteSteps = { writeTemp, publish, syncDir, remove };

/**
 * Writes `data` to `path` so that `path` either does not exist or holds all of `data` with `mode`:
 * temp file in the same directory, fsync, atomic publish, directory fsync. Never overwrites an
 * existing `path` (rejects with `EEXIST`). The temp file is removed on success and on failure.
 */
export async function writeFileExclusiveAtomic(
  path: string,
  data: Uint8Array,
  mode: number,
  steps: AtomicWriteSteps = defaultAtomicWriteSteps,
): Promise<void> {
  const dir = dirname(path);
  const tmpPath = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await steps.writeTemp(tmpPath, data, mode);
    await steps.publish(tmpPath, path);
    await steps.syncDir(dir);
  } catch (err) {
    try {
      await steps.remove(tmpPath);
    } catch (cleanupErr) {
      throw new AggregateError(
        [err, cleanupErr],
        `writing ${path} failed and its temp file ${tmpPath} remains`,
      );
    }
    throw err;
  }
  // After a link-publish the temp name still exists; after a rename it is gone (tolerated).
  await steps.remove(tmpPath);
}

/** Creates `dir` (and parents) with `mode` when it does not exist yet. */
export async function ensureDir(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
}
