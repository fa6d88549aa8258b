import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';

/** Most fields a form may carry; Eclair's largest calls take about 15. */
const MAX_FIELDS = 64;

/**
 * Reads the whole body, failing with `API_BODY_TOO_LARGE` past `limit` bytes (checked against
 * `Content-Length` first, then while reading, since chunked bodies have no length).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(limit: number): ApiError {
  return new ApiError('API_BODY_TOO_LARGE', `request body larger than ${limit} bytes`, { limit });
}

function duplicate(name: string): ApiError {
  return new ApiError('API_BAD_PARAM', `The form field '${name}' was given more than once`, { param: name });
}

function add(fields: Map<string, string>, name: string, value: string): void {
  if (fields.has(name)) throw duplicate(name);
  if (fields.size >= MAX_FIELDS) {
    throw new ApiError('API_BAD_PARAM', `more than ${MAX_FIELDS} form fields`, { max: MAX_FIELDS });
  }
  fields.set(name, value);
}

/**
 * Form fields of a body by its `Content-Type`: `application/x-www-form-urlencoded` (eclair-cli,
 * `curl -d`) or `multipart/form-data` (`curl -F`, Eclair's docs). An empty body needs no type.
 */
export function parseForm(contentType: string | undefined, body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) add(fields, k, v);
    return fields;
  }
  if (type === 'multipart/form-data') {
    const boundary = multipartBoundary(contentType!);
    for (const [k, v] of parseMultipart(body, boundary)) add(fields, k, v);
    return fields;
  }
  if (body.length === 0) return fields;
  throw new ApiError(
    'API_UNSUPPORTED_MEDIA',
    'The request content type must be application/x-www-form-urlencoded or multipart/form-data',
    { contentType: type.slice(0, 100) },
  );
}

function malformed(why: string): ApiError {
  return new ApiError('API_BAD_PARAM', `malformed multipart/form-data body: ${why}`, {});
}

/** The `boundary` parameter of a multipart `Content-Type` (RFC 2046 §5.1.1: 1 to 70 characters, maybe quoted). */
export function multipartBoundary(contentType: string): string {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (boundary === undefined) throw malformed('no boundary in the content type');
  return boundary;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Parts of a buffered `multipart/form-data` body (RFC 7578) as `[name, text]` pairs. File parts
 * (`curl -F x=@file`) count as fields with the file's content as text; parts without a name are skipped.
 */
export function parseMultipart(body: Buffer, boundary: string): Array<[string, string]> {
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  const out: Array<[string, string]> = [];
  // The first delimiter may follow a preamble, or start the body without the leading CRLF.
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw malformed('no boundary delimiter');
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return out; // "--": close delimiter
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++; // transport padding
    if (!body.subarray(pos, pos + 2).equals(CRLF)) throw malformed('no CRLF after a delimiter');
    pos += 2;
    let headers = '';
    let start: number;
    if (body.subarray(pos, pos + 2).equals(CRLF)) {
      start = pos + 2; // a part without headers
    } else {
      const headerEnd = body.indexOf(HEADER_END, pos);
      if (headerEnd < 0) throw malformed('unterminated part headers');
      headers = body.toString('utf8', pos, headerEnd);
      start = headerEnd + 4;
    }
    const end = body.indexOf(next, start);
    if (end < 0) throw malformed('unterminated part');
    const name = partName(headers);
    if (name !== undefined) out.push([name, body.toString('utf8', start, end)]);
    pos = end + next.length;
  }
}

/** The `name` of a part's `Content-Disposition: form-data; name="..."` header. */
function partName(headers: string): string | undefined {
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
    const m = /;\s*name=(?:"((?:[^"\\]|\\.)*)"|([^\s;]+))/i.exec(line.slice(colon + 1));
    if (!m) return undefined;
    return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
  }
  return undefined;
}
