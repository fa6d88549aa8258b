import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderConfigDocs } from '../docs.js';
import { backendPart } from '../schemas/backend.js';
import { commonSchema } from '../schemas/common.js';
import { frontendPart } from '../schemas/frontend.js';

/** The parts documented in docs/configuration.md, in order. */
export const DOCUMENTED_PARTS = [commonSchema, backendPart, frontendPart];

// Run as `npm run docs:config`: packages/config/dist/src/cli -> repository root.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = fileURLToPath(new URL('../../../../../docs/configuration.md', import.meta.url));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, renderConfigDocs(DOCUMENTED_PARTS));
  console.log(`wrote ${out}`);
}
