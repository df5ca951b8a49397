// A Python literal parser (the subset ast.literal_eval meets in released data): strings with escapes and
// prefixes, implicit concatenation, numbers, None/True/False, lists and tuples.
import { pyFloat, pyInt, pyStrFloat, PY_WHITESPACE } from './python.js';

export type PyValue = string | number | bigint | boolean | null | PyValue[];

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    throw new SyntaxError(`${msg} at offset ${this.i}`);
  }

  ws(): void {
    while (this.i < this.s.length && PY_WHITESPACE.includes(this.s[this.i]!)) this.i++;
  }

  value(): PyValue {
    this.ws();
    const c = this.s[this.i];
    if (c === '[' || c === '(') return this.seq(c === '[' ? ']' : ')');
    if (c !== undefined && /[rRuU'"]/.test(c)) {
      let out = this.string();
      for (;;) {
        this.ws();
        const d = this.s[this.i];
        if (d === undefined || !/[rRuU'"]/.test(d)) return out;
        out += this.string();
      }
    }
    const m = /^(None|True|False|[+-]?[0-9._eE+-]+j?|[+-]?(?:inf|nan))/.exec(this.s.slice(this.i));
    if (!m) this.fail('unexpected character');
    this.i += m[0].length;
    if (m[0] === 'None') return null;
    if (m[0] === 'True' || m[0] === 'False') return m[0] === 'True';
    const asInt = pyInt(m[0]);
    if (asInt !== null) return asInt;
    const f = pyFloat(m[0]);
    if (f === null || /^[+-]?(inf|nan)$/.test(m[0])) this.fail(`bad number ${m[0]}`);
    return f;
  }

  seq(close: string): PyValue[] {
    this.i++;
    const out: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) this.fail(`expected ',' or '${close}'`);
    }
  }

  string(): string {
    let raw = false;
    while (/[rRuU]/.test(this.s[this.i] ?? '')) {
      if (/[rR]/.test(this.s[this.i]!)) raw = true;
      this.i++;
    }
    const q = this.s[this.i];
    if (q !== "'" && q !== '"') this.fail('expected a quote');
    const triple = this.s.startsWith(q.repeat(3), this.i);
    const delim = triple ? q.repeat(3) : q;
    this.i += delim.length;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated string');
      if (this.s.startsWith(delim, this.i)) {
        this.i += delim.length;
        return out;
      }
      const ch = this.s[this.i]!;
      if (ch === '\n' && !triple) this.fail('newline in string');
      if (ch !== '\\') {
        out += ch;
        this.i++;
        continue;
      }
      const next = this.s[this.i + 1];
      if (next === undefined) this.fail('unterminated string');
      if (raw) {
        out += ch + next; // raw strings keep the backslash, but it still protects the quote
        this.i += 2;
        continue;
      }
      this.i += 2;
      if (next in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[next];
      else if (/[0-7]/.test(next)) {
        const m = /^[0-7]{1,3}/.exec(this.s.slice(this.i - 1))![0];
        out += String.fromCodePoint(parseInt(m, 8));
        this.i += m.length - 1;
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const len = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = this.s.slice(this.i, this.i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) this.fail(`bad \\${next} escape`);
        out += String.fromCodePoint(parseInt(hex, 16));
        this.i += len;
      } else out += ch + next; // unknown escapes are kept verbatim, as Python does
    }
  }
}

/** ast.literal_eval for the supported subset; throws SyntaxError on anything else. */
export function literalEval(text: string): PyValue {
  const p = new Parser(text);
  const v = p.value();
  p.ws();
  if (p.i !== text.length) p.fail('trailing characters');
  return v;
}

/** Python str() of a literal value, for list elements that are not strings. */
export function pyStr(v: PyValue): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return pyStrFloat(v);
  return `[${v.map((x) => (typeof x === 'string' ? `'${x}'` : pyStr(x))).join(', ')}]`;
}

/** Parses a string holding a Python list literal into a list of strings (as index2ans uses them). */
export function parseStringList(text: string): string[] {
  const v = literalEval(text);
  if (!Array.isArray(v)) throw new SyntaxError('not a list literal');
  return v.map(pyStr);
}
