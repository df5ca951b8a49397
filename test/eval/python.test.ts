import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  levenshtein,
  pyFloat,
  pyInt,
  pyIntOfFloat,
  pyIsDigit,
  pyRound,
  pySplit,
  pySplitlines,
  pyStrFloat,
  pyStrip,
} from '../../eval/python.js';
import { literalEval, parseStringList } from '../../eval/pyliteral.js';

describe('pyFloat (Python float(str))', () => {
  const ok: Array<[string, number]> = [
    ['1_000', 1000],
    [' 5 ', 5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e1_0', 1e10],
    ['+.5e-3', 0.0005],
    ['-2.5E+2', -250],
    ['١٢', 12],
    ['１２.５', 12.5],
    ['\u3000 3 ', 3],
    ['\t\n7\r', 7],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
    ['iNF', Infinity],
  ];
  for (const [s, v] of ok) test(`accepts ${JSON.stringify(s)}`, () => assert.equal(pyFloat(s), v));
  test('accepts nan in any case', () => assert.ok(Number.isNaN(pyFloat('NaN'))));
  const bad = [
    '1,000',
    '12abc',
    '',
    '0x10',
    '1__0',
    '_1',
    '1_',
    '1e',
    'e5',
    'infinit',
    '1 2',
    '\ufeff3',
    '3\x1c',
    '−5',
    'Infinity1',
    '.',
    '1._5',
  ];
  for (const s of bad) test(`rejects ${JSON.stringify(s)}`, () => assert.equal(pyFloat(s), null));
});

describe('pyInt (Python int(str))', () => {
  test('canonical digits', () => assert.equal(pyInt(' 007 '), 7n));
  test('underscores', () => assert.equal(pyInt('1_000'), 1000n));
  test('big', () => assert.equal(pyInt('123456789012345678901234567890'), 123456789012345678901234567890n));
  test('rejects a decimal point', () => assert.equal(pyInt('12.0'), null));
  test('rejects exponents', () => assert.equal(pyInt('1e3'), null));
  test('unicode digits', () => assert.equal(pyInt('-٣'), -3n));
  test('int(float) truncates toward zero', () => {
    assert.equal(pyIntOfFloat(2.7), 2n);
    assert.equal(pyIntOfFloat(-2.7), -2n);
    assert.equal(pyIntOfFloat(1e20), 100000000000000000000n);
  });
  test('int(inf) and int(nan) raise', () => {
    assert.equal(pyIntOfFloat(Infinity), null);
    assert.equal(pyIntOfFloat(NaN), null);
  });
});

describe('pyStrFloat (Python str(float))', () => {
  const cases: Array<[number, string]> = [
    [5, '5.0'],
    [47.6, '47.6'],
    [1e-5, '1e-05'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [0.0001, '0.0001'],
    [9999999999999998, '9999999999999998.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [-0, '-0.0'],
    [0, '0.0'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [1.2e-7, '1.2e-07'],
    [123456789.125, '123456789.125'],
    [1e100, '1e+100'],
    [5e-324, '5e-324'],
    [-1234.5, '-1234.5'],
    [1e21, '1e+21'],
    [100, '100.0'],
  ];
  for (const [x, s] of cases) test(`${s}`, () => assert.equal(pyStrFloat(x), s));
});

describe('pyRound (round on the exact binary value, ties to even)', () => {
  const cases: Array<[number, number, number]> = [
    [1.15, 1, 1.1],
    [1.25, 1, 1.2],
    [2.675, 2, 2.67],
    [0.125, 2, 0.12],
    [0.375, 2, 0.38],
    [2.5, 0, 2],
    [3.5, 0, 4],
    [0.5, 0, 0],
    [1.35, 1, 1.4],
    [1234.5, -2, 1200],
    [1250, -2, 1200],
    [1350, -2, 1400],
    [1.24, 1, 1.2],
    [1 / 3, 4, 0.3333],
    [-2.675, 2, -2.67],
    [123.456, 10, 123.456],
  ];
  for (const [x, n, r] of cases) test(`round(${x}, ${n}) = ${r}`, () => assert.equal(pyRound(x, n), r));
  test('round(-0.04, 1) is -0.0', () => assert.ok(Object.is(pyRound(-0.04, 1), -0)));
  test('Math.round would differ on 1.005', () => {
    assert.equal(pyRound(1.005, 2), 1); // 1.005 is stored as 1.00499999999999989…
    assert.equal(pyStrFloat(pyRound(1.005, 2)), '1.0');
  });
  test('infinities and nan pass through', () => {
    assert.equal(pyRound(Infinity, 1), Infinity);
    assert.ok(Number.isNaN(pyRound(NaN, 1)));
  });
});

describe('strings', () => {
  test('strip whitespace uses Python whitespace', () => assert.equal(pyStrip('\x1c\x85 a b\u3000'), 'a b'));
  test('strip keeps BOM (not Python whitespace)', () => assert.equal(pyStrip('\ufeffa'), '\ufeffa'));
  test('strip(chars) removes every leading/trailing copy', () => assert.equal(pyStrip('..a.b..', '.'), 'a.b'));
  test('strip(chars) with several chars', () => assert.equal(pyStrip("'.x'.", ".'"), 'x'));
  test('strip(chars) works on code points', () => assert.equal(pyStrip('😀a😀', '😀'), 'a'));
  test('split() drops empty parts', () => assert.deepEqual(pySplit('  a \t b\n\nc  '), ['a', 'b', 'c']));
  test('split() of blanks is empty', () => assert.deepEqual(pySplit(' \n '), []));
  test('splitlines', () => assert.deepEqual(pySplitlines('a\r\nb\rc\n\nd\u2028e\n'), ['a', 'b', 'c', '', 'd', 'e']));
  test('splitlines of empty', () => assert.deepEqual(pySplitlines(''), []));
  test('isdigit on Unicode decimals', () => {
    assert.equal(pyIsDigit('٤'), true);
    assert.equal(pyIsDigit('12'), true);
    assert.equal(pyIsDigit(' 1'), false);
    assert.equal(pyIsDigit(''), false);
    assert.equal(pyIsDigit('1.0'), false);
  });
});

describe('levenshtein on code points', () => {
  test('kitten/sitting', () => assert.equal(levenshtein('kitten', 'sitting'), 3));
  test('astral char counts once', () => assert.equal(levenshtein('😀', ''), 1));
  test('°', () => assert.equal(levenshtein('145', '145°'), 1));
  test('empty vs empty', () => assert.equal(levenshtein('', ''), 0));
});

describe('Python literals', () => {
  test('list of quoted strings with escapes', () =>
    assert.deepEqual(parseStringList(`['a', "b's", 'c\\'d', 'e\\nf', '\\u00e9', '\\x41']`), [
      'a',
      "b's",
      "c'd",
      'e\nf',
      'é',
      'A',
    ]));
  test('numbers and None become Python str()', () =>
    assert.deepEqual(parseStringList('[1, 2.50, None, True, -3]'), ['1', '2.5', 'None', 'True', '-3']));
  test('implicit concatenation and raw strings', () =>
    assert.deepEqual(literalEval(`['a' "b", r'\\d']`), ['ab', '\\d']));
  test('trailing comma and tuple', () => assert.deepEqual(literalEval("('x', 'y',)"), ['x', 'y']));
  test('malformed literal throws', () => assert.throws(() => parseStringList("['a', 'b'")));
  test('non-list throws', () => assert.throws(() => parseStringList("'a'")));
});
