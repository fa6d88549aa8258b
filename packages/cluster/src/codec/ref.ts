import type { ActorRef } from '../types.js';
import { ByteReader, ByteWriter } from './bytes.js';

/** Appends a serialised {@link ActorRef} (address, incarnation u64, path) to a writer. */
export function writeRef(w: ByteWriter, ref: ActorRef): void {
  w.str(ref.address).u64(ref.incarnation).str(ref.path);
}

/** Reads a serialised {@link ActorRef}. */
export function readRef(r: ByteReader): ActorRef {
  const address = r.str();
  const incarnation = r.u64();
  const path = r.str();
  return { address, incarnation, path };
}

/** Encodes an {@link ActorRef} on its own, for use inside a message codec. */
export function encodeRef(ref: ActorRef): Uint8Array {
  const w = new ByteWriter(64);
  writeRef(w, ref);
  return w.finish();
}

/** Decodes an {@link ActorRef} produced by {@link encodeRef}. */
export function decodeRef(b: Uint8Array): ActorRef {
  const r = new ByteReader(b);
  const ref = readRef(r);
  r.end();
  return ref;
}

/** True when both refs name the same actor of the same incarnation. */
export function sameRef(a: ActorRef, b: ActorRef): boolean {
  return a.address === b.address && a.incarnation === b.incarnation && a.path === b.path;
}

/** `address#incarnation/path`, for logs. */
export function formatRef(ref: ActorRef): string {
  return `${ref.address}#${ref.incarnation}${ref.path}`;
}
