import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary data directory, optionally with a shoal.conf; `cleanup()` removes it. */
export function tempDatadir(conf?: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-config-'));
  if (conf !== undefined) writeFileSync(join(dir, 'shoal.conf'), conf);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Public key of private key 1 (the generator), and that private key. */
export const G_PUB = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
export const ONE_PRIV = `${'0'.repeat(63)}1`;
