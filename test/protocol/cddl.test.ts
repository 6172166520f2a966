import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CddlParseError, parseCddl, validate } from '../../protocol/cddl.js';
import { CDDL_RULES, MESSAGE_TYPES } from '../../protocol/schema.js';

const PITWALL = readFileSync(new URL('../../protocol/pitwall.cddl', import.meta.url), 'utf8');

function parseError(text: string): CddlParseError {
  try {
    parseCddl(text);
  } catch (e) {
    if (e instanceof CddlParseError) return e;
    throw e;
  }
  throw new Error(`parsed: ${text}`);
}

const check = (cddl: string, value: unknown, rule?: string) => {
  const s = parseCddl(cddl);
  return validate(s, rule ?? [...s.rules.keys()][0], value);
};

describe('parseCddl: protocol/pitwall.cddl', () => {
  const schema = parseCddl(PITWALL);
  it('parses every rule of the file', () => {
    const names = [...PITWALL.matchAll(/^([a-z][a-z0-9-]*)\s*=/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(40);
    expect([...schema.rules.keys()]).toEqual(names);
  });
  it('has a type rule for every message type', () => {
    for (const t of MESSAGE_TYPES) expect(schema.rules.get(CDDL_RULES[t])?.kind, t).toBe('type');
  });
  it('inlines box-head into the box events', () => {
    const rule = schema.rules.get('box-arrival')!;
    expect(rule.kind === 'type' && rule.type.k === 'array' && rule.type.entries.map((e) => e.name ?? null)).toEqual([
      null,
      'box',
      'transponder',
      'timeUs',
      null,
    ]);
  });
  it('checks a message value', () => {
    const death = new Map<unknown, unknown>([
      [0, 1],
      [1, 'loop-sf'],
      [2, 7],
    ]);
    expect(validate(schema, 'death', death)).toBeNull();
    expect(validate(schema, 'death', new Map(death).set(2, -7))).toMatchObject({ path: '/2' });
    expect(validate(schema, 'death', new Map(death).set(9, [1, 'x']))).toBeNull();
    expect(validate(schema, 'death', new Map(death).set('x', 1))).toMatchObject({ path: '/x' });
  });
  it('refuses to validate against an unknown rule or a group', () => {
    expect(() => validate(schema, 'nope', 1)).toThrow(/no rule/);
    expect(() => validate(schema, 'box-head', [])).toThrow(/group/);
  });
});

describe('parseCddl: refuses what it does not support', () => {
  it.each([
    ['a = ', /expected a type/],
    ['a = uint b', /expected the end of rule 'a'/],
    ['= uint', /expected a rule name/],
    ['a = [uint', /expected '\]'/],
    ['a = { 1: uint', /expected '\}'/],
    ['a = (uint', /expected '\)'/],
    ['a = uint\na = tstr', /defined twice/],
    ['a = b', /'b' is not defined/],
    ['a = float', /'float' is not defined/],
    ['a = tdate', /'tdate' is not defined/],
    ['uint = 1', /redefine a prelude/],
    ['a = b\nb = a', /defined in terms of itself/],
    ['a = a / uint', /defined in terms of itself/],
    ['a = 1.5', /floating-point/],
    ['a = 1e3', /floating-point/],
    ["a = h'00'", /byte string literals/],
    ["a = 'ab'", /byte string literals/],
    ['a = $b', /sockets/],
    ['a /= uint', /choice extensions/],
    ['a = [ (b // c) ]\nb = 1\nc = 2', /group choices/],
    ['a = b<uint>', /generics/],
    ['a<t> = t', /generics/],
    ['a = &b', /choices from groups/],
    ['a = ~b', /unwrapping/],
    ['a = #6.1(uint)', /major-type/],
    ['a = { ^ 1 => uint }', /cuts/],
    ['a = 1...5', /exclusive ranges/],
    ['a = uint .ge 5', /control operator \.ge is not supported/],
    ['a = bstr .cbor uint', /control operator \.cbor/],
    ['a = uint .le tstr', /\.le needs an integer literal/],
    ['a = tstr .regexp 5', /\.regexp needs a text literal/],
    ['a = tstr .regexp "("', /bad regular expression/],
    ['a = tstr .size tstr', /\.size needs/],
    ['a = x .. 5\nx = 1', /range bounds must be integer literals/],
    ['a = x..5', /'x..5' is not defined/], // `.` continues a name, as RFC 8610 says
    ['a = 5..1', /empty range/],
    ['a = [ * g ]\ng = (uint, tstr)', /occurrence indicators on groups/],
    ['a = [ ? (uint, tstr) ]', /occurrence indicators on groups/],
    ['a = { uint }', /a map entry needs a key/],
    ['a = [ uint => tstr ]', /only allowed in maps/],
    ['a = [ [1]: uint ]', /only a name or a literal/],
    ['a = 3*1 uint', /expected the end|upper bound below/],
    ['a = uint @', /expected the end/],
    ['a = "unterminated', /unterminated text/],
    ['a = 007', /leading zeros/],
    ['', /no rules/],
    ['a = g\ng = (x: uint, y: uint)', /used where a type is expected/],
  ] as [string, RegExp][])('%j', (text, message) => {
    const e = parseError(text);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^CDDL \d+:\d+: /);
  });

  it('gives the line and column', () => {
    const e = parseError('a = uint\nb = [\n  1,\n  2 .. ]');
    expect(e.line).toBe(4);
  });
});

describe('validate', () => {
  it('prelude types', () => {
    const t = (type: string, v: unknown) => check(`a = ${type}`, v) === null;
    expect(t('uint', 0)).toBe(true);
    expect(t('uint', 2n ** 64n - 1n)).toBe(true);
    expect(t('uint', 2n ** 64n)).toBe(false);
    expect(t('uint', -1)).toBe(false);
    expect(t('uint', 1.5)).toBe(false);
    expect(t('uint', '1')).toBe(false);
    expect(t('nint', -1)).toBe(true);
    expect(t('nint', -(2n ** 64n))).toBe(true);
    expect(t('nint', 0)).toBe(false);
    expect(t('int', -5)).toBe(true);
    expect(t('int', 5)).toBe(true);
    expect(t('tstr', '')).toBe(true);
    expect(t('text', 'x')).toBe(true);
    expect(t('tstr', new Uint8Array())).toBe(false);
    expect(t('bstr', new Uint8Array(2))).toBe(true);
    expect(t('bstr', 'x')).toBe(false);
    expect(t('bool', false)).toBe(true);
    expect(t('bool', 0)).toBe(false);
    expect(t('true', true)).toBe(true);
    expect(t('true', false)).toBe(false);
    expect(t('false', false)).toBe(true);
    expect(t('null', null)).toBe(true);
    expect(t('nil', null)).toBe(true);
    expect(t('null', undefined)).toBe(false);
    expect(t('any', new Map())).toBe(true);
  });

  it('literals, choices, ranges and controls', () => {
    const t = (type: string, v: unknown) => check(`a = ${type}`, v) === null;
    expect(t('1 / 3', 3)).toBe(true);
    expect(t('1 / 3', 2)).toBe(false);
    expect(t('"on" / "off"', 'off')).toBe(true);
    expect(t('"on" / "off"', 'of')).toBe(false);
    expect(t('-25', -25)).toBe(true);
    expect(t('0x10', 16)).toBe(true);
    expect(t('-2147483648..2147483647', -2147483648)).toBe(true);
    expect(t('-2147483648..2147483647', 2147483648)).toBe(false);
    expect(t('-2147483648..2147483647', '1')).toBe(false);
    expect(t('uint .le 15', 15)).toBe(true);
    expect(t('uint .le 15', 16)).toBe(false);
    expect(t('uint .le 15', -1)).toBe(false);
    expect(t('tstr .size (1..3)', 'é')).toBe(true); // 2 bytes
    expect(t('tstr .size (1..3)', 'éé')).toBe(false); // 4 bytes
    expect(t('tstr .size (1..3)', '')).toBe(false);
    expect(t('tstr .size 2', 'ab')).toBe(true);
    expect(t('tstr .size 2', 'a')).toBe(false);
    expect(t('bstr .size 4', new Uint8Array(4))).toBe(true);
    expect(t('uint .size 1', 255)).toBe(true);
    expect(t('uint .size 1', 256)).toBe(false);
    expect(t('tstr .regexp "[a-z]+"', 'abc')).toBe(true);
    expect(t('tstr .regexp "[a-z]+"', 'abc1')).toBe(false); // anchored, as XSD regexps are
    expect(t('tstr .regexp "[a-z]+"', '1abc')).toBe(false);
    expect(t('(1 / 2) / 3', 2)).toBe(true);
    expect(t('(uint .le 5)', 5)).toBe(true);
  });

  it('arrays: positions, names, occurrences, tails', () => {
    const cddl = 'p = [1, loop: uint .le 255, ? note: tstr, * any]';
    expect(check(cddl, [1, 5])).toBeNull();
    expect(check(cddl, [1, 5, 'x', 9, [1]])).toBeNull();
    expect(check(cddl, [2, 5])).toMatchObject({ path: '/0' });
    expect(check(cddl, [1, 256])).toMatchObject({ path: '/1', message: '256 is over 255' });
    expect(check(cddl, [1])).toMatchObject({ path: '/1', message: 'missing element 1 (loop)' });
    expect(check('a = [uint, uint]', [1, 2, 3])).toMatchObject({ path: '/2' });
    expect(check('a = [1*3 uint]', [])).not.toBeNull();
    expect(check('a = [1*3 uint]', [1, 2, 3])).toBeNull();
    expect(check('a = [1*3 uint]', [1, 2, 3, 4])).toMatchObject({ path: '/3' });
    expect(check('a = [+ uint, tstr]', [1, 2, 'x'])).toBeNull();
    expect(check('a = [* uint, 5]', [1, 2, 5])).toBeNull(); // needs backtracking
    expect(check('a = [*3 uint]', [1, 2, 3])).toBeNull();
    expect(check('a = [2* uint]', [1])).not.toBeNull();
    expect(check('a = [uint, g, tstr]\ng = (x: bool, y: null)', [1, true, null, 's'])).toBeNull();
    expect(check('a = [uint, g, tstr]\ng = (x: bool, y: null)', [1, true, 's'])).not.toBeNull();
    expect(check('a = [uint]', new Map())).toMatchObject({ message: 'expected an array, got a map' });
  });

  it('maps: required, optional, wildcard and counted entries', () => {
    const cddl = 'm = { 0: 1, 1: tstr, ? 2: uint, * uint => any }';
    const m = (...e: [unknown, unknown][]) => new Map(e);
    expect(check(cddl, m([0, 1], [1, 'x']))).toBeNull();
    expect(check(cddl, m([1, 'x'], [0, 1], [2, 5], [99, [1]]))).toBeNull(); // order does not matter
    expect(check(cddl, m([1, 'x']))).toMatchObject({ path: '', message: 'missing key 0' });
    expect(check(cddl, m([0, 1], [1, 'x'], [2, 'y']))).toMatchObject({ path: '/2' }); // a known key's value is checked (cut)
    expect(check(cddl, m([0, 1], [1, 'x'], ['z', 1]))).toMatchObject({ path: '/z', message: 'key "z" is not allowed here' });
    expect(check(cddl, m([0, 1], [1, 'x'], [-1, 1]))).toMatchObject({ path: '/-1' });
    expect(check(cddl, [0, 1])).toMatchObject({ message: 'expected a map, got an array' });
    const counted = 'c = { 0*2 uint .le 9 => uint }';
    expect(check(counted, m())).toBeNull();
    expect(check(counted, m([1, 1], [9, 2]))).toBeNull();
    expect(check(counted, m([1, 1], [2, 2], [3, 3]))).toMatchObject({ path: '/3' });
    expect(check(counted, m([10, 1]))).toMatchObject({ path: '/10' });
    expect(check(counted, m([1, 'x']))).toMatchObject({ path: '/1', message: 'expected uint, got "x"' });
    expect(check('m = { name: tstr, ? "age": uint }', { name: 'x', age: 3 })).toBeNull(); // bare words are text keys
    expect(check('m = { name: tstr }', new Map([[0, 'x']]))).toMatchObject({ message: 'missing key "name"' });
    expect(check('m = { g, 9: bool }\ng = (1: uint, ? 2: tstr)', m([1, 5], [9, true]))).toBeNull();
    expect(check('m = { + tstr => uint }', m())).not.toBeNull();
  });

  it('choices report the alternative that got furthest', () => {
    const cddl = 'e = a / b\na = [1, uint]\nb = [2, tstr, uint .le 3]';
    expect(check(cddl, [2, 'x', 4])).toMatchObject({ path: '/2', message: '4 is over 3' });
    expect(check(cddl, [1, 'x'])).toMatchObject({ path: '/1' });
  });

  it('recursive rules through containers', () => {
    const tree = 'tree = [uint, * tree]';
    expect(check(tree, [1, [2], [3, [4]]])).toBeNull();
    expect(check(tree, [1, [2], [3, ['x']]])).toMatchObject({ path: '/2/1/0' });
  });
});
