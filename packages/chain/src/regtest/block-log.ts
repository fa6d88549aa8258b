import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { bytesEqual } from '../bytes.js';
import { ChainError } from '../errors.js';
import { sha256 } from '../script/hashes.js';
import type { Logger } from '../types.js';

/** One entry of the regtest chain's log, replayed in order on open. */
export type LogRecord =
  | { readonly kind: 'block'; readonly raw: Uint8Array }
  | { readonly kind: 'invalidate'; readonly hash: Uint8Array };

const KIND_BLOCK = 1;
const KIND_INVALIDATE = 2;
const HEADER = 5;
const CHECKSUM = 4;

/**
 * Append-only file `<dataDir>/regtest-chain.log`: records of `[kind u8][length u32le][payload]
 * [first 4 bytes of sha256(kind||payload)]`, each synced before the chain moves on. A torn or
 * corrupt tail (a crash mid-write) is cut off on open and logged; everything before it is kept.
 */
export class BlockLog {
  readonly path: string;
  #fd: number | undefined;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /** Opens (creating) the log and returns it with the records it already holds. */
  static open(dataDir: string, logger?: Logger): { log: BlockLog; records: LogRecord[] } {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'regtest-chain.log');
    const fd = openSync(path, 'a+');
    const data = readFileSync(path);
    const records: LogRecord[] = [];
    let offset = 0;
    while (offset < data.length) {
      const record = readRecord(data, offset);
      if (!record) break;
      records.push(record.record);
      offset = record.next;
    }
    if (offset < data.length) {
      logger?.warn('regtest chain log: discarding a torn or corrupt tail', {
        path,
        offset,
        size: data.length,
      });
      ftruncateSync(fd, offset);
    }
    return { log: new BlockLog(path, fd), records };
  }

  append(record: LogRecord): void {
    if (this.#fd === undefined) throw new ChainError('CHAIN_NOT_STARTED', 'regtest chain log is closed');
    const kind = record.kind === 'block' ? KIND_BLOCK : KIND_INVALIDATE;
    const payload = record.kind === 'block' ? record.raw : record.hash;
    const buf = Buffer.alloc(HEADER + payload.length + CHECKSUM);
    buf[0] = kind;
    buf.writeUInt32LE(payload.length, 1);
    buf.set(payload, HEADER);
    buf.set(checksum(kind, payload), HEADER + payload.length);
    writeSync(this.#fd, buf);
    fdatasyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function checksum(kind: number, payload: Uint8Array): Uint8Array {
  const data = new Uint8Array(1 + payload.length);
  data[0] = kind;
  data.set(payload, 1);
  return sha256(data).subarray(0, CHECKSUM);
}

function readRecord(data: Buffer, offset: number): { record: LogRecord; next: number } | undefined {
  if (offset + HEADER > data.length) return undefined;
  const kind = data[offset]!;
  const length = data.readUInt32LE(offset + 1);
  const end = offset + HEADER + length;
  if (end + CHECKSUM > data.length) return undefined;
  const payload = new Uint8Array(data.subarray(offset + HEADER, end));
  if (!bytesEqual(checksum(kind, payload), data.subarray(end, end + CHECKSUM))) return undefined;
  const next = end + CHECKSUM;
  if (kind === KIND_BLOCK) return { record: { kind: 'block', raw: payload }, next };
  if (kind === KIND_INVALIDATE && length === 32)
    return { record: { kind: 'invalidate', hash: payload }, next };
  return undefined;
}
