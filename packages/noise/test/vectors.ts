import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The copy under test/vectors (from dist/test it is two levels up). */
export const VECTOR_COPY = join(here, '..', '..', 'test', 'vectors', 'bolt08-appendix-a.txt');
/** The shared spec beside the repository, when present. */
export const SHARED_SPEC = join(here, '..', '..', '..', '..', '..', 'shared', 'bolts', '08-transport.md');

export interface VectorEvent {
  kind: 'input' | 'output';
  value: string;
}

export interface VectorCase {
  name: string;
  params: Map<string, string>;
  events: VectorEvent[];
}

/** Parses "name:" blocks of BOLT 8 Appendix A into parameters and an ordered input/output list. */
export function parseCases(text: string): VectorCase[] {
  const cases: VectorCase[] = [];
  let current: VectorCase | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || line === '' || line.startsWith('```')) continue;
    const m = /^([A-Za-z0-9_.,]+(?: \d+)?)\s*[:=]\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1] as string;
    const value = (m[2] as string).trim();
    if (key === 'name') {
      current = { name: value, params: new Map(), events: [] };
      cases.push(current);
    } else if (!current) {
    } else if (key === 'input' || key === 'output') {
      current.events.push({ kind: key, value });
    } else {
      current.params.set(key, value);
    }
  }
  return cases;
}

export function loadVectorText(): string {
  return readFileSync(VECTOR_COPY, 'utf8');
}

export function sharedAppendix(): string | undefined {
  if (!existsSync(SHARED_SPEC)) return undefined;
  const spec = readFileSync(SHARED_SPEC, 'utf8');
  const start = spec.indexOf('# Appendix A: Transport Test Vectors');
  const end = spec.indexOf('# Acknowledgments');
  return spec.slice(start, end);
}

export function hexValue(value: string): Buffer {
  return Buffer.from(value.replace(/^0x/, ''), 'hex');
}
