// Python semantics that the official (Python) scorers depend on, reproduced exactly.

/** Characters for which Python's str.isspace() is true (differs from JS \s: adds \x1c-\x1f and \x85, lacks \ufeff). */
export const PY_WHITESPACE =
  '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** A regex character-class body matching Python's Unicode `\s`. */
export const PY_WS_CLASS =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WS_SET = new Set(Array.from(PY_WHITESPACE));
const ND = /^\p{Nd}$/u;

/** str.strip(chars): removes all leading and trailing code points found in `chars` (default: Python whitespace). */
export function pyStrip(s: string, chars?: string): string {
  const set = chars === undefined ? WS_SET : new Set(Array.from(chars));
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && set.has(cps[a]!)) a++;
  while (b > a && set.has(cps[b - 1]!)) b--;
  return cps.slice(a, b).join('');
}

/** str.rstrip(chars). */
export function pyRstrip(s: string, chars: string): string {
  const set = new Set(Array.from(chars));
  const cps = Array.from(s);
  let b = cps.length;
  while (b > 0 && set.has(cps[b - 1]!)) b--;
  return cps.slice(0, b).join('');
}

/** str.split() with no arguments: split on runs of whitespace, drop empty parts. */
export function pySplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of s) {
    if (WS_SET.has(ch)) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/** Decimal value of a Unicode Nd code point (Nd digits come in contiguous runs of ten starting at 0). */
function ndValue(cp: number): number {
  let k = 0;
  while (ND.test(String.fromCodePoint(cp - k - 1))) k++;
  return k % 10;
}

/** str.isdigit(), restricted to decimal digits (Nd); see README note on superscripts. */
export function pyIsDigit(s: string): boolean {
  if (s === '') return false;
  for (const ch of s) if (!ND.test(ch)) return false;
  return true;
}

/**
 * Python's pre-pass for float()/int() on str: non-ASCII whitespace becomes a space and Unicode decimal digits
 * become ASCII; then only ASCII whitespace is trimmed (so \x1c-\x1f are not). Returns null when another non-ASCII
 * character remains (Python raises ValueError).
 */
function toAsciiNumber(s: string): string | null {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 128) out += ch;
    else if (WS_SET.has(ch)) out += ' ';
    else if (ND.test(ch)) out += String(ndValue(cp));
    else return null;
  }
  return out.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
}

const DIGITS = '[0-9](?:_?[0-9])*';
const FLOAT_RE = new RegExp(`^[+-]?(?:(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?)$`);
const SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;
const INT_RE = new RegExp(`^[+-]?${DIGITS}$`);

/** Python float(s) on a str: returns null where Python raises ValueError. */
export function pyFloat(s: string): number | null {
  const t = toAsciiNumber(s);
  if (t === null) return null;
  const sp = SPECIAL_RE.exec(t);
  if (sp) {
    if (sp[2]!.toLowerCase() === 'nan') return NaN;
    return sp[1] === '-' ? -Infinity : Infinity;
  }
  if (!FLOAT_RE.test(t)) return null;
  return Number(t.replace(/_/g, '')); // the grammar above is a subset of what Number() parses exactly
}

/** Python int(s) on a str (base 10): returns null where Python raises ValueError. */
export function pyInt(s: string): bigint | null {
  const t = toAsciiNumber(s);
  if (t === null || !INT_RE.test(t)) return null;
  return BigInt(t.replace(/_/g, ''));
}

/** int(x) for a float: truncation toward zero; null where Python raises (inf: OverflowError, nan: ValueError). */
export function pyIntOfFloat(x: number): bigint | null {
  if (!Number.isFinite(x)) return null;
  return BigInt(Math.trunc(x));
}

/** str(x) / repr(x) for a Python float: shortest round-trip digits, exponent form when exp < -4 or >= 16. */
export function pyStrFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expStr] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}

/** Exact decomposition of a finite double: |x| = mant * 2**exp. */
function decompose(x: number): { mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return e === 0 ? { mant: frac, exp: -1074 } : { mant: frac | (1n << 52n), exp: e - 1075 };
}

/** Python round(x, n) on a float: correct rounding of the exact binary value, ties to even. */
export function pyRound(x: number, n: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const { mant, exp } = decompose(x);
  // |x| * 10**n = num / den exactly
  let num = mant;
  let den = 1n;
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  if (n >= 0) num *= 10n ** BigInt(n);
  else den *= 10n ** BigInt(-n);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const magnitude = Number(`${q}e${-n}`); // decimal-to-double conversion is correctly rounded, like Python's
  return x < 0 ? -magnitude : magnitude;
}

/** Levenshtein distance over Unicode code points (as python-Levenshtein counts). */
export function levenshtein(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const sub = prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1);
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, sub));
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/** str.splitlines() (no keepends): Python's line boundaries, \r\n counted once. */
export function pySplitlines(s: string): string[] {
  const parts = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
