// The table (schema.ts) and the CDDL (pitwall.cddl) describe the same contract: every
// field of every vector is pushed to and over its limits, to other types, or removed,
// and the TS decoder (reading the table) and the CDDL validator must agree each time.

import { readFileSync } from 'node:fs';
import { decode as cborgDecode, encode as cborgEncode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { parseCddl, validate } from '../../protocol/cddl.js';
import { tryDecode } from '../../protocol/codec.js';
import {
  BOARD_ID_PATTERN,
  CDDL_RULES,
  MESSAGES,
  PROTOCOL_VERSION,
  type Field,
  type FieldType,
  type MessageType,
} from '../../protocol/schema.js';
import { VALID, bytes } from './golden.js';

const schema = parseCddl(readFileSync(new URL('../../protocol/pitwall.cddl', import.meta.url), 'utf8'));

type Seg = number | bigint;
interface Edit {
  what: string;
  path: Seg[];
  /** Replacement value, or undefined to remove the item (map entry / trailing array elements). */
  value: unknown;
}

const textOf = (bytesLen: number): string => 'x'.repeat(bytesLen);

/** Values to try in place of a field of type `t` (current value `v`). */
function candidates(t: FieldType, v: unknown): [string, unknown][] {
  const foreign: [string, unknown][] = [
    ['null', null],
    ['text', '1'],
    ['bytes', new Uint8Array([1])],
    ['array', [1]],
    ['map', new Map([[1, 1]])],
    ['true', true],
  ];
  switch (t.t) {
    case 'uint':
      return [['0', 0], ['max', t.max], ['max+1', BigInt(t.max) + 1n], ['-1', -1], ['2^64-1', 2n ** 64n - 1n], ...foreign];
    case 'int':
      return [['min', t.min], ['max', t.max], ['min-1', t.min - 1], ['max+1', t.max + 1], ['0', 0], ...foreign];
    case 'bool':
      return [['true', true], ['false', false], ['0', 0], ['1', 1], ['null', null], ['text', 'true']];
    case 'text': {
      const out: [string, unknown][] = [['number', 1], ['bytes', new TextEncoder().encode('abc')], ['null', null]];
      for (const n of [t.min, t.max, t.max + 1, t.min - 1]) if (n >= 0) out.push([`${n} bytes`, textOf(n)]);
      out.push(['multibyte max', 'é'.repeat(Math.floor(t.max / 2))], ['multibyte over', 'é'.repeat(Math.floor(t.max / 2) + 1)]);
      if (t.pattern) out.push(['capital', 'A'], ['hyphen first', '-a'], ['dot', 'a.b'], ['32 chars', 'a'.repeat(32)], ['33 chars', 'a'.repeat(33)], ['', '']);
      return out;
    }
    case 'enum': {
      const codes = Object.values(t.values);
      return [
        ...codes.map((c) => [`code ${c}`, c] as [string, unknown]),
        ['max code+1', Math.max(...codes) + 1],
        ['min code-1', Math.min(...codes) - 1],
        ...foreign,
      ];
    }
    case 'list': {
      const items = v as unknown[];
      const fill = (n: number) => Array.from({ length: Math.max(n, 0) }, (_, i) => items[i % items.length]);
      return [
        ['min items', fill(t.min)],
        ['max items', fill(t.max)],
        ['min-1 items', fill(t.min - 1)],
        ['max+1 items', fill(t.max + 1)],
        ['map', new Map()],
        ['null', null],
      ];
    }
    case 'uintMap': {
      const entries = (n: number, base = 0) => new Map(Array.from({ length: n }, (_, i) => [base + i, 1]));
      return [
        ['empty', new Map()],
        ['max entries', entries(t.maxEntries)],
        ['max+1 entries', entries(t.maxEntries + 1)],
        ['max key', new Map([[t.maxKey, 1]])],
        ['max key+1', new Map([[BigInt(t.maxKey) + 1n, 1]])],
        ['text key', new Map([['1', 1]])],
        ['negative key', new Map([[-1, 1]])],
        ['array', []],
      ];
    }
    default:
      return [['null', null], ['uint', 1]];
  }
}

function* edits(t: FieldType, v: unknown, path: Seg[], name: string): Generator<Edit> {
  for (const [what, value] of candidates(t, v)) yield { what: `${name} = ${what}`, path, value };
  const sub = function* (fields: readonly Field[], at: (f: Field, i: number) => Seg, get: (s: Seg) => unknown) {
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const seg = at(f, i);
      const x = get(seg);
      if (x === undefined) continue;
      yield* edits(f.type, x, [...path, seg], `${name}.${f.name}`);
    }
  };
  switch (t.t) {
    case 'list':
      yield* edits(t.of, (v as unknown[])[0], [...path, 0], `${name}[0]`);
      return;
    case 'tuple':
      yield { what: `${name}: last element removed`, path: [...path, t.fields.length - 1], value: undefined };
      yield { what: `${name}: element added`, path: [...path, t.fields.length], value: 'extra' };
      yield* sub(t.fields, (_, i) => i, (s) => (v as unknown[])[s as number]);
      return;
    case 'record':
      for (const f of t.fields) yield { what: `${name}.${f.name} removed`, path: [...path, f.key!], value: undefined };
      yield { what: `${name}: unknown key added`, path: [...path, 99], value: [1] };
      yield* sub(t.fields, (f) => f.key!, (s) => (v as Map<Seg, unknown>).get(s));
      return;
    case 'uintMap':
      for (const [k, x] of v as Map<Seg, unknown>) yield* edits(t.value, x, [...path, k], `${name}[${k}]`);
      return;
    case 'variant': {
      const a = v as unknown[];
      const variant = t.variants.find((x) => x.code === a[0])!;
      const codes = t.variants.map((x) => x.code);
      for (const c of [Math.max(...codes) + 1, -1, 'x', null]) yield { what: `${name}.kind = ${String(c)}`, path: [...path, 0], value: c };
      if (variant.fields.length)
        yield { what: `${name}: last element removed`, path: [...path, variant.fields.length], value: undefined };
      yield { what: `${name}: element added`, path: [...path, variant.fields.length + 1], value: 'extra' };
      yield* sub(variant.fields, (_, i) => i + 1, (s) => a[s as number]);
      return;
    }
    case 'variantRecord': {
      const m = v as Map<Seg, unknown>;
      const variant = t.variants.find((x) => x.code === m.get(t.tagKey))!;
      for (const c of [...t.variants.map((x) => x.code), 2, -1, 'loop'])
        yield { what: `${name}.kind = ${String(c)}`, path: [...path, t.tagKey], value: c };
      yield { what: `${name}.kind removed`, path: [...path, t.tagKey], value: undefined };
      for (const f of variant.fields) yield { what: `${name}.${f.name} removed`, path: [...path, f.key!], value: undefined };
      yield* sub(variant.fields, (f) => f.key!, (s) => m.get(s));
      return;
    }
  }
}

/** A copy of `model` with the item at `path` replaced (or removed). */
function applyEdit(model: unknown, path: Seg[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(model)) {
    const a = model.slice();
    const i = head as number;
    if (rest.length === 0 && value === undefined) return a.slice(0, i);
    a[i] = applyEdit(a[i], rest, value);
    return a;
  }
  const m = new Map(model as Map<Seg, unknown>);
  if (rest.length === 0 && value === undefined) m.delete(head);
  else m.set(head, applyEdit(m.get(head), rest, value));
  return m;
}

describe('table and CDDL agree', () => {
  const topFields = (type: MessageType): FieldType => ({
    t: 'record',
    fields: [{ name: 'v', key: 0, type: { t: 'enum', values: { v1: PROTOCOL_VERSION } } }, ...MESSAGES[type]],
  });

  it.each(VALID.map((v) => [v.name, v] as const))('on every edit of %s', (_, vector) => {
    const model = cborgDecode(bytes(vector.hex), { useMaps: true });
    let tried = 0;
    const disagreements: string[] = [];
    for (const e of edits(topFields(vector.type), model, [], vector.type)) {
      if (e.path.length === 0) continue;
      const edited = applyEdit(model, e.path, e.value);
      const b = cborgEncode(edited, { mapSorter: () => 0 });
      const ts = tryDecode(vector.type, b, { maxBytes: Infinity });
      const cddl = validate(schema, CDDL_RULES[vector.type], cborgDecode(b, { useMaps: true }));
      tried++;
      if (ts.ok !== (cddl === null)) {
        disagreements.push(`${e.what}: TS ${ts.ok ? 'accepts' : `refuses (${ts.error.reason})`}, CDDL ${cddl ? `refuses (${cddl.path} ${cddl.message})` : 'accepts'}`);
      }
    }
    expect(tried).toBeGreaterThan(10);
    expect(disagreements).toEqual([]);
  });

  it('the board id pattern is the CDDL board-id regexp', () => {
    const rule = schema.rules.get('board-id')!;
    expect(rule.kind === 'type' && rule.type.k === 'regexp' && `^${rule.type.source}$`).toBe(BOARD_ID_PATTERN.source);
  });
});
