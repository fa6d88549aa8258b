import { scriptError } from '../errors.js';
import { OP, type ScriptChunk } from './opcodes.js';

/** Maximum size of one stack element (consensus). */
export const MAX_ELEMENT_SIZE = 520;
/** Maximum script size (consensus). */
export const MAX_SCRIPT_SIZE = 10_000;

/**
 * Splits a script into pushes and opcodes, enforcing minimal pushes (Core's MINIMALDATA policy):
 * a push must use the shortest form, and 1..16 / -1 must use OP_1..OP_16 / OP_1NEGATE.
 */
export function parseScript(script: Uint8Array): ScriptChunk[] {
  if (script.length > MAX_SCRIPT_SIZE) throw scriptError('SCRIPT_SIZE');
  const chunks: ScriptChunk[] = [];
  let i = 0;
  while (i < script.length) {
    const opcode = script[i++]!;
    if (opcode > OP.OP_PUSHDATA4 || opcode === OP.OP_0) {
      chunks.push(
        opcode === OP.OP_0 ? { kind: 'push', opcode, data: new Uint8Array(0) } : { kind: 'op', opcode },
      );
      continue;
    }
    let size: number;
    if (opcode < OP.OP_PUSHDATA1) size = opcode;
    else {
      const width = opcode === OP.OP_PUSHDATA1 ? 1 : opcode === OP.OP_PUSHDATA2 ? 2 : 4;
      if (i + width > script.length) throw scriptError('BAD_OPCODE', 'truncated push length');
      size = 0;
      for (let b = 0; b < width; b++) size += script[i + b]! * 2 ** (8 * b);
      i += width;
    }
    if (i + size > script.length) throw scriptError('BAD_OPCODE', 'push past end of script');
    const data = script.subarray(i, i + size);
    i += size;
    checkMinimalPush(opcode, data);
    chunks.push({ kind: 'push', opcode, data });
  }
  return chunks;
}

function checkMinimalPush(opcode: number, data: Uint8Array): void {
  const n = data.length;
  if (n === 1 && data[0]! >= 1 && data[0]! <= 16) throw scriptError('MINIMALDATA', 'use OP_1..OP_16');
  if (n === 1 && data[0] === 0x81) throw scriptError('MINIMALDATA', 'use OP_1NEGATE');
  if (n <= 75 && opcode !== n) throw scriptError('MINIMALDATA', 'use a direct push');
  if (n > 75 && n <= 255 && opcode !== OP.OP_PUSHDATA1) throw scriptError('MINIMALDATA', 'use OP_PUSHDATA1');
  if (n > 255 && n <= 65535 && opcode !== OP.OP_PUSHDATA2)
    throw scriptError('MINIMALDATA', 'use OP_PUSHDATA2');
}

/** True when every element of `script` is a push (scriptSig rule, SIG_PUSHONLY). */
export function isPushOnly(script: Uint8Array): boolean {
  return parseScript(script).every(
    (c) => c.kind === 'push' || c.opcode === OP.OP_1NEGATE || (c.opcode >= OP.OP_1 && c.opcode <= OP.OP_16),
  );
}
