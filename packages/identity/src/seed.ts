import { randomBytes } from 'node:crypto';
import { constants, open } from 'node:fs/promises';
import { join } from 'node:path';
import { type AtomicWriteSteps, ensureDir, writeFileExclusiveAtomic } from './atomic-write.js';
import { DATADIR_MODE, NODE_SEED_FILE, NODE_SEED_LENGTH, NODE_SEED_MODE } from './constants.js';
import { IdentityError } from './errors.js';

/** Options of {@link ensureNodeSeed}. */
export interface EnsureNodeSeedOptions {
  /** File-system steps of the atomic write; tests inject a failing one. */
  steps?: AtomicWriteSteps;
}

/** Path of the node seed file in `datadir`. */
export function nodeSeedPath(datadir: string): string {
  return join(datadir, NODE_SEED_FILE);
}

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
}

function ioError(action: string, path: string, err: unknown): IdentityError {
  const code = errnoCode(err) ?? 'unknown';
  const reason = err instanceof Error ? err.message : String(err);
  return new IdentityError(
    'IDENTITY_SEED_IO',
    `cannot ${action} node seed ${path}: ${reason}`,
    { path, errno: code },
    {
      cause: err,
    },
  );
}

/**
 * Reads the node seed from `<datadir>/node_seed.dat` without ever creating it (a frontend's
 * `seed` provider). Checks run on the opened file: a regular file of exactly 32 bytes, with no
 * group/other permission bits (on POSIX).
 */
export async function readNodeSeed(datadir: string): Promise<Buffer> {
  const path = nodeSeedPath(datadir);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') {
      throw new IdentityError(
        'IDENTITY_SEED_MISSING',
        `node seed ${path} does not exist: start the backend once with this datadir to create it, or copy the backend's ${NODE_SEED_FILE} here (mode 0600)`,
        { path },
        { cause: err },
      );
    }
    throw ioError('open', path, err);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new IdentityError('IDENTITY_SEED_CORRUPT', `node seed ${path} is not a regular file`, { path });
    }
    const loose = stat.mode & 0o077;
    if (process.platform !== 'win32' && loose !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new IdentityError(
        'IDENTITY_SEED_INSECURE',
        `node seed ${path} has mode ${mode}: group or others may access it; fix with: chmod 600 '${path}'`,
        { path, mode },
      );
    }
    if (stat.size !== NODE_SEED_LENGTH) {
      throw new IdentityError(
        'IDENTITY_SEED_CORRUPT',
        `node seed ${path} is ${stat.size} bytes, expected ${NODE_SEED_LENGTH}: restore it from a backup (never replace it with a new seed while channels are open: the node id would change)`,
        { path, size: stat.size },
      );
    }
    const seed = Buffer.alloc(NODE_SEED_LENGTH);
    const { bytesRead } = await handle.read(seed, 0, NODE_SEED_LENGTH, 0);
    if (bytesRead !== NODE_SEED_LENGTH) {
      throw new IdentityError('IDENTITY_SEED_CORRUPT', `node seed ${path} shrank while being read`, {
        path,
        size: bytesRead,
      });
    }
    return seed;
  } catch (err) {
    if (err instanceof IdentityError) throw err;
    throw ioError('read', path, err);
  } finally {
    await handle.close();
  }
}

/**
 * The backend's start: reads `<datadir>/node_seed.dat`, or creates it when absent (32 random bytes,
 * written atomically with mode 0600; the datadir is created with mode 0700 if needed). An existing
 * seed is never overwritten: a wrong-size or loosely-permissioned file is an error to fix by hand.
 */
export async function ensureNodeSeed(datadir: string, options: EnsureNodeSeedOptions = {}): Promise<Buffer> {
  try {
    return await readNodeSeed(datadir);
  } catch (err) {
    if (!(err instanceof IdentityError) || err.code !== 'IDENTITY_SEED_MISSING') throw err;
  }
  const path = nodeSeedPath(datadir);
  const seed = randomBytes(NODE_SEED_LENGTH);
  try {
    await ensureDir(datadir, DATADIR_MODE);
    await writeFileExclusiveAtomic(path, seed, NODE_SEED_MODE, options.steps);
  } catch (err) {
    // Another process created it between our read and our write: theirs is the seed.
    if (errnoCode(err) === 'EEXIST') return readNodeSeed(datadir);
    throw ioError('create', path, err);
  }
  return seed;
}
