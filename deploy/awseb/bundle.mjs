#!/usr/bin/env node
// Builds the AWS Elastic Beanstalk bundle of a Shoal frontend: a zip holding the built frontend, the
// built workspace packages it imports (dist/src and package.json only) and their production
// dependencies copied from this checkout's node_modules (the versions of the lock file; no npm and
// no network on the target), plus start.mjs, the Procfile and the .ebextensions/.platform files.
//
//   node deploy/awseb/bundle.mjs [--out <file.zip>] [--cert <cluster.p12>] [--no-build]
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TEMPLATE = join(ROOT, 'deploy/awseb/bundle');
const APP = 'apps/frontend';

/** Files of third-party packages that are never run: docs, type declarations, source maps, tests. */
const SKIP_FILE = /(\.d\.[cm]?ts|\.map|\.md|\.markdown|\.tsbuildinfo)$/i;
const SKIP_DIR = new Set([
  'test',
  'tests',
  '__tests__',
  'docs',
  'example',
  'examples',
  '.github',
  'coverage',
]);

class BundleError extends Error {
  name = 'BundleError';
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The workspace packages, by name: their directory. */
function workspaces() {
  const out = new Map();
  for (const group of ['packages', 'apps']) {
    for (const d of readdirSync(join(ROOT, group))) {
      const pj = join(ROOT, group, d, 'package.json');
      if (existsSync(pj)) out.set(readJson(pj).name, join(ROOT, group, d));
    }
  }
  return out;
}

/** Node's lookup of `name` from `fromDir`: the nearest node_modules/<name> up to the root. */
function resolvePackage(name, fromDir) {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (d === ROOT || dirname(d) === d) return undefined;
  }
}

/** Copies a third-party package without what it never runs (nested node_modules handled by the walk). */
function copyPackage(src, dest) {
  cpSync(src, dest, {
    recursive: true,
    dereference: true,
    filter: (from) => {
      const rel = relative(src, from);
      if (rel === '') return true;
      const parts = rel.split(sep);
      if (parts[0] === 'node_modules') return false;
      const isDir = statSync(from).isDirectory();
      if (isDir) return !SKIP_DIR.has(basename(from));
      return !SKIP_FILE.test(from) || /^licen[cs]e/i.test(basename(from));
    },
  });
}

/** Copies a built workspace package: package.json and the JavaScript of dist/src. */
function copyWorkspace(src, dest) {
  const dist = join(src, 'dist/src');
  if (!existsSync(dist)) throw new BundleError(`${relative(ROOT, src)} is not built (no dist/src)`);
  mkdirSync(dest, { recursive: true });
  copyFileSync(join(src, 'package.json'), join(dest, 'package.json'));
  cpSync(dist, join(dest, 'dist/src'), {
    recursive: true,
    filter: (from) => statSync(from).isDirectory() || /\.(js|mjs|cjs|json)$/.test(from),
  });
}

/**
 * Walks the production dependency graph from the frontend and copies every package into
 * `stage/node_modules`, keeping the nesting node_modules gives it here (so each import still
 * resolves to the same version). Returns the number of packages copied.
 */
function copyDependencies(stage) {
  const ws = workspaces();
  const wsDirs = [...ws.entries()].map(([name, dir]) => ({ name, dir }));
  /** Where a package found at `srcDir` goes in the bundle. */
  const target = (srcDir) => {
    const real = realpathSync(srcDir);
    const owner = wsDirs.find((w) => real === w.dir || real.startsWith(`${w.dir}${sep}`));
    if (owner) return join(stage, 'node_modules', owner.name, relative(owner.dir, real));
    const rel = relative(ROOT, srcDir);
    if (rel.startsWith('..')) throw new BundleError(`${srcDir} is outside the checkout`);
    return join(stage, rel);
  };
  const done = new Set();
  const queue = [ws.get('@shoal/frontend')];
  while (queue.length > 0) {
    const dir = queue.shift();
    const real = realpathSync(dir);
    if (done.has(real)) continue;
    done.add(real);
    const pj = readJson(join(real, 'package.json'));
    if (ws.has(pj.name)) copyWorkspace(real, target(real));
    else copyPackage(real, target(dir));
    const optionalPeers = new Set(
      Object.entries(pj.peerDependenciesMeta ?? {})
        .filter(([, m]) => m.optional)
        .map(([n]) => n),
    );
    const wanted = [
      ...Object.keys(pj.dependencies ?? {}).map((n) => [n, true]),
      ...Object.keys(pj.optionalDependencies ?? {}).map((n) => [n, false]),
      ...Object.keys(pj.peerDependencies ?? {}).map((n) => [n, !optionalPeers.has(n)]),
    ];
    for (const [name, required] of wanted) {
      // From the package's own location (nested copies first), as Node resolves it.
      const found = ws.has(name) ? ws.get(name) : resolvePackage(name, dir);
      if (found) queue.push(found);
      else if (required) throw new BundleError(`${pj.name} needs ${name}, which is not installed`);
    }
  }
  return done.size;
}

function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(ROOT, 'deploy/awseb/dist/shoal-frontend-awseb.zip') },
      cert: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const out = resolve(values.out);
  if (!values['no-build']) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', APP], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
  const stage = mkdtempSync(join(tmpdir(), 'shoal-awseb-'));
  try {
    const count = copyDependencies(stage);
    cpSync(TEMPLATE, stage, { recursive: true });
    chmodSync(join(stage, '.platform/hooks/prebuild/10-shoal-check.sh'), 0o755);
    if (values.cert !== undefined) {
      const cert = resolve(values.cert);
      if (!existsSync(cert)) throw new BundleError(`--cert ${cert} does not exist`);
      copyFileSync(cert, join(stage, 'cluster.p12'));
      chmodSync(join(stage, 'cluster.p12'), 0o600);
    }
    mkdirSync(dirname(out), { recursive: true });
    rmSync(out, { force: true });
    // -X: no uid/gid extra fields; -y: keep symlinks as links (none expected); -q: quiet.
    execFileSync('zip', ['-q', '-r', '-X', out, '.'], { cwd: stage, stdio: 'inherit' });
    const size = statSync(out).size;
    process.stdout.write(
      `${out}: ${size} bytes (${(size / 1024 / 1024).toFixed(1)} MiB), ${count} packages${values.cert ? ', with cluster.p12' : ''}\n`,
    );
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`bundle:awseb: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
