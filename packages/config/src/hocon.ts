import { ConfigError } from './errors.js';

/** A parsed value: strings stay strings (formats coerce them), so `049daa` keeps its leading zero. */
export type HoconValue = string | number | boolean | null | HoconValue[] | HoconObject;
export interface HoconObject {
  [key: string]: HoconValue;
}

/** Where each leaf (dotted key) was set, for error messages naming a line. */
export type Positions = Map<string, { line: number; column: number }>;

export interface ParsedFile {
  readonly root: HoconObject;
  readonly positions: Positions;
}

const KEY_CHAR = /[A-Za-z0-9_-]/;

/**
 * Parses the HOCON subset Shoal accepts (and plain JSON): `a.b.c = v`, `a.b { c = v }`, `:` or
 * `=`, quoted and unquoted strings, arrays, `#` and `//` comments, newline or comma separators.
 * Later keys override earlier ones and objects merge, as in HOCON. Substitutions (`${...}`),
 * includes and `+=` are refused with a clear error: use environment variables instead.
 * Unlike HOCON, `//` inside an unquoted value (`http://x`) is not a comment.
 */
export function parseHocon(text: string, file: string): ParsedFile {
  return new Parser(text, file).document();
}

class Parser {
  private pos = 0;
  private line = 1;
  private col = 1;
  private readonly positions: Positions = new Map();

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  document(): ParsedFile {
    this.skip(true);
    const root: HoconObject = {};
    if (this.peek() === '{') {
      this.next();
      this.members(root, '', '}');
      this.expect('}');
    } else {
      this.members(root, '', undefined);
    }
    this.skip(true);
    if (this.pos < this.text.length) this.fail('unexpected content after the end of the document');
    return { root, positions: this.positions };
  }

  private fail(reason: string): never {
    const c = this.peek();
    const near = c !== undefined && /[^A-Za-z0-9]/.test(c) && c.trim() !== '' ? ` near '${c}'` : '';
    throw ConfigError.of('CONFIG_PARSE', `${reason}${near}`, {
      source: `file ${this.file}`,
      line: this.line,
      column: this.col,
    });
  }

  private peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }

  private next(): string {
    const c = this.text[this.pos++] ?? '';
    if (c === '\n') {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected '${c}'`);
    this.next();
  }

  private atComment(): boolean {
    return this.peek() === '#' || (this.peek() === '/' && this.peek(1) === '/');
  }

  /** Skips spaces and comments, and newlines when `newlines`. Returns true if a newline was crossed. */
  private skip(newlines: boolean): boolean {
    let crossed = false;
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') this.next();
      else if (c === '\n' && newlines) {
        crossed = true;
        this.next();
      } else if (c !== undefined && this.atComment()) {
        while (this.peek() !== undefined && this.peek() !== '\n') this.next();
      } else return crossed;
    }
  }

  private members(into: HoconObject, prefix: string, close: string | undefined): void {
    for (;;) {
      this.skip(true);
      const c = this.peek();
      if (c === undefined || c === close) return;
      if (c === ',') this.fail('unexpected comma');
      this.member(into, prefix);
      const crossed = this.skip(false);
      const after = this.peek();
      if (after === ',') this.next();
      else if (after === '\n') this.next();
      else if (after !== undefined && after !== close && !crossed)
        this.fail('expected a newline or a comma after a value');
    }
  }

  private member(into: HoconObject, prefix: string): void {
    const { line, column } = { line: this.line, column: this.col };
    const path = this.key();
    const full = prefix ? `${prefix}.${path.join('.')}` : path.join('.');
    this.skip(false);
    const c = this.peek();
    if (c === '+' && this.peek(1) === '=') this.fail("'+=' is not supported");
    if (full === 'include' && c === '"') this.fail('include is not supported: put the settings in this file');
    if (c === '=' || c === ':') {
      this.next();
      this.skip(false);
    } else if (c !== '{') {
      this.fail(`expected '=', ':' or '{' after key '${full}'`);
    }
    // Walk/create the intermediate objects of a dotted key.
    let obj = into;
    for (const seg of path.slice(0, -1)) {
      const existing = obj[seg];
      if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) obj[seg] = {};
      obj = obj[seg] as HoconObject;
    }
    const last = path[path.length - 1] ?? '';
    if (this.peek() === '{') {
      this.next();
      const existing = obj[last];
      const target: HoconObject =
        typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? existing : {};
      obj[last] = target;
      this.members(target, full, '}');
      this.expect('}');
    } else {
      obj[last] = this.value(full);
      this.positions.set(full, { line, column });
    }
  }

  private key(): string[] {
    const segs: string[] = [];
    for (;;) {
      if (this.peek() === '"') segs.push(this.quoted());
      else {
        let s = '';
        while (this.peek() !== undefined && KEY_CHAR.test(this.peek() ?? '')) s += this.next();
        if (s === '') this.fail('expected a key');
        segs.push(s);
      }
      if (this.peek() !== '.') return segs;
      this.next();
    }
  }

  private quoted(): string {
    const startLine = this.line;
    const startCol = this.col;
    let raw = this.next();
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '\n') {
        this.line = startLine;
        this.col = startCol;
        this.fail('unterminated quoted string');
      }
      raw += this.next();
      if (c === '\\') raw += this.next();
      else if (c === '"') break;
    }
    try {
      return JSON.parse(raw) as string;
    } catch {
      this.line = startLine;
      this.col = startCol;
      return this.fail('bad escape in quoted string');
    }
  }

  private value(key: string): HoconValue {
    const c = this.peek();
    if (c === '"') return this.quoted();
    if (c === '[') return this.array(key);
    if (c === '{') {
      this.next();
      const o: HoconObject = {};
      this.members(o, key, '}');
      this.expect('}');
      return o;
    }
    if (c === '$' && this.peek(1) === '{')
      // biome-ignore lint/suspicious/noTemplateCurlyInString: HOCON syntax named in the message
      this.fail('substitutions (${...}) are not supported: use environment variables');
    let s = '';
    for (;;) {
      const d = this.peek();
      if (d === undefined || d === '\n' || d === ',' || d === '}' || d === ']' || d === '#') break;
      if (d === '/' && this.peek(1) === '/' && (s === '' || /\s$/.test(s))) break;
      if (d === '"' || (d === '$' && this.peek(1) === '{'))
        this.fail('quotes or substitutions inside an unquoted value');
      s += this.next();
    }
    s = s.trim();
    if (s === '') this.fail('missing value');
    return s === 'null' ? null : s;
  }

  private array(key: string): HoconValue[] {
    this.next();
    const out: HoconValue[] = [];
    for (;;) {
      this.skip(true);
      if (this.peek() === ']') {
        this.next();
        return out;
      }
      if (this.peek() === undefined) this.fail("unterminated array: expected ']'");
      out.push(this.value(key));
      const crossed = this.skip(true);
      if (this.peek() === ',') this.next();
      else if (this.peek() === undefined) this.fail("unterminated array: expected ']'");
      else if (this.peek() !== ']' && !crossed) this.fail("expected ',' or ']' in array");
    }
  }
}
