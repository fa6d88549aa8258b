import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DOCUMENTED_PARTS } from '../src/cli/gen-docs.js';
import { envName, flattenSchema, renderConfigDocs } from '../src/index.js';

describe('docs/configuration.md', { timeout: 10_000 }, () => {
  const committed = readFileSync(
    fileURLToPath(new URL('../../../../docs/configuration.md', import.meta.url)),
    'utf8',
  );

  it('is up to date with the schemas (run `npm run docs:config`)', () => {
    // A plain boolean check: a full diff of the file would bury the hint.
    assert.ok(
      committed === renderConfigDocs(DOCUMENTED_PARTS),
      'docs/configuration.md is out of date: run `npm run docs:config`',
    );
  });

  it('lists every key with its environment name', () => {
    for (const part of DOCUMENTED_PARTS) {
      for (const key of flattenSchema(part.settings).keys()) {
        assert.ok(committed.includes(`| \`${key}\` | \`${envName(key)}\``), key);
      }
    }
  });
});
