// fast-check arbitraries for valid typed messages, derived from the schema table
// (protocol/schema.ts): every range, text length in UTF-8 bytes, the board-id
// pattern, list counts and optional fields, with extra weight on the values where
// CBOR heads change width. Messages are kept within MAX_MESSAGE_BYTES (envelopes
// drop trailing events until they fit), using a size count of their own so the
// arbitraries do not lean on the codec they test.

import fc from 'fast-check';
import {
  EVENT,
  MAX_MESSAGE_BYTES,
  MESSAGES,
  MESSAGE_TYPES,
  type Field,
  type FieldType,
  type MessageType,
  type MessageTypes,
  type Variant,
} from '../../protocol/schema.js';

/** Values around every CBOR head-width boundary, and the type limits. */
const EDGES = [0, 1, 23, 24, 255, 256, 65535, 65536, 0xffffffff, 0x100000000, 2 ** 53 - 1];

function uintArb(max: number): fc.Arbitrary<number> {
  const edges = [...EDGES.filter((e) => e <= max), max];
  const small = fc.integer({ min: 0, max: Math.min(max, 1000) });
  const full = max <= 0x7fffffff ? fc.integer({ min: 0, max }) : fc.bigInt({ min: 0n, max: BigInt(max) }).map(Number);
  return fc.oneof({ arbitrary: fc.constantFrom(...edges), weight: 2 }, { arbitrary: small, weight: 2 }, { arbitrary: full, weight: 3 });
}

function intArb(min: number, max: number): fc.Arbitrary<number> {
  const edges = [...EDGES, ...EDGES.map((e) => -e - 1), -24, -25, -256, -257]
    .filter((e) => e >= min && e <= max)
    .concat([min, max]);
  return fc.oneof(
    { arbitrary: fc.constantFrom(...edges), weight: 2 },
    { arbitrary: fc.integer({ min: Math.max(min, -1000), max: Math.min(max, 1000) }), weight: 2 },
    { arbitrary: fc.integer({ min, max }), weight: 3 },
  );
}

const utf8 = new TextEncoder();
export const utf8Length = (s: string): number => utf8.encode(s).length;

/** Any Unicode scalar value: ASCII most of the time, any plane (BOM, NUL, astral) otherwise. */
const scalar = fc.oneof(
  { arbitrary: fc.integer({ min: 0x20, max: 0x7e }), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 0x7f }), weight: 1 },
  { arbitrary: fc.integer({ min: 0x80, max: 0x7ff }), weight: 1 },
  { arbitrary: fc.integer({ min: 0x800, max: 0xffff }).filter((c) => c < 0xd800 || c > 0xdfff), weight: 1 },
  { arbitrary: fc.constantFrom(0xfeff, 0xfffd, 0xffff, 0x10ffff, 0x1f3c1), weight: 1 },
  { arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }), weight: 1 },
);

/**
 * Arrays of every length up to max: fast-check's default size keeps arrays short,
 * so a quarter of them are drawn with the whole range.
 */
function arrayArb<T>(item: fc.Arbitrary<T>, minLength: number, maxLength: number): fc.Arbitrary<T[]> {
  return fc.oneof(
    { arbitrary: fc.array(item, { minLength, maxLength }), weight: 3 },
    { arbitrary: fc.array(item, { minLength, maxLength, size: 'max' }), weight: 1 },
  );
}

function textArb(min: number, max: number): fc.Arbitrary<string> {
  return arrayArb(scalar, 0, max).map((cps) => {
    // the longest prefix within max bytes, padded to min
    let s = '';
    let n = 0;
    for (const cp of cps) {
      const c = String.fromCodePoint(cp);
      const w = utf8Length(c);
      if (n + w > max) break;
      s += c;
      n += w;
    }
    while (n < min) {
      s += 'a';
      n++;
    }
    return s;
  });
}

const BOARD_FIRST = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const BOARD_REST = [...BOARD_FIRST, '-'];

/** `^[a-z0-9][a-z0-9-]{0,31}$` */
export const boardIdArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...BOARD_FIRST), arrayArb(fc.constantFrom(...BOARD_REST), 0, 31))
  .map(([a, rest]) => a + rest.join(''));

function fieldsArb(fields: readonly Field[], recordStyle: boolean): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) model[f.name] = arb(f.type);
  const requiredKeys = fields.filter((f) => !(recordStyle && f.optional)).map((f) => f.name);
  return fc.record(model, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
}

function variantArb(vs: readonly Variant[], recordStyle: boolean): fc.Arbitrary<unknown> {
  return fc.oneof(...vs.map((v) => fieldsArb(v.fields, recordStyle).map((o) => ({ kind: v.name, ...o }))));
}

/** Arbitrary valid value of one table type. */
export function arb(t: FieldType): fc.Arbitrary<unknown> {
  switch (t.t) {
    case 'uint':
      return uintArb(t.max);
    case 'int':
      return intArb(t.min, t.max);
    case 'bool':
      return fc.boolean();
    case 'text':
      return t.pattern ? boardIdArb : textArb(t.min, t.max);
    case 'enum':
      return fc.constantFrom(...Object.keys(t.values));
    case 'list':
      return arrayArb(arb(t.of), t.min, t.max);
    case 'tuple':
      return fieldsArb(t.fields, false);
    case 'record':
      return fieldsArb(t.fields, true);
    case 'uintMap': {
      const key = fc.oneof(fc.integer({ min: 1, max: 7 }), uintArb(t.maxKey));
      const entry = fc.tuple(key, arb(t.value));
      return fc
        .oneof(
          { arbitrary: fc.uniqueArray(entry, { selector: (e) => e[0], maxLength: t.maxEntries }), weight: 3 },
          { arbitrary: fc.uniqueArray(entry, { selector: (e) => e[0], maxLength: t.maxEntries, size: 'max' }), weight: 1 },
        )
        .map((entries) => Object.fromEntries(entries));
    }
    case 'variant':
      return variantArb(t.variants, false);
    case 'variantRecord':
      return variantArb(t.variants, true);
  }
}

// ------------------------------------------------------------------ encoded size

function headSize(v: number): number {
  return v < 24 ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 : v <= 0xffffffff ? 5 : 9;
}

function fieldsSize(fields: readonly Field[], v: Record<string, unknown>, recordStyle: boolean): number {
  let n = 0;
  for (const f of fields) {
    const x = v[f.name];
    if (x === undefined) continue;
    n += (recordStyle ? headSize(f.key!) : 0) + sizeOf(f.type, x);
  }
  return n;
}

function present(fields: readonly Field[], v: Record<string, unknown>): number {
  return fields.filter((f) => v[f.name] !== undefined).length;
}

/** Encoded size, in preferred serialization, of a value of a table type. */
export function sizeOf(t: FieldType, v: unknown): number {
  switch (t.t) {
    case 'uint':
      return headSize(v as number);
    case 'int':
      return headSize((v as number) < 0 ? -1 - (v as number) : (v as number));
    case 'bool':
      return 1;
    case 'text': {
      const n = utf8Length(v as string);
      return headSize(n) + n;
    }
    case 'enum':
      return headSize(t.values[v as string]);
    case 'list': {
      const items = v as unknown[];
      return headSize(items.length) + items.reduce<number>((s, x) => s + sizeOf(t.of, x), 0);
    }
    case 'tuple':
      return headSize(t.fields.length) + fieldsSize(t.fields, v as Record<string, unknown>, false);
    case 'record': {
      const o = v as Record<string, unknown>;
      return headSize(present(t.fields, o)) + fieldsSize(t.fields, o, true);
    }
    case 'uintMap': {
      const entries = Object.entries(v as Record<string, unknown>);
      return headSize(entries.length) + entries.reduce((s, [k, x]) => s + headSize(Number(k)) + sizeOf(t.value, x), 0);
    }
    case 'variant': {
      const o = v as Record<string, unknown>;
      const variant = t.variants.find((x) => x.name === o.kind)!;
      return headSize(1 + variant.fields.length) + headSize(variant.code) + fieldsSize(variant.fields, o, false);
    }
    case 'variantRecord': {
      const o = v as Record<string, unknown>;
      const variant = t.variants.find((x) => x.name === o.kind)!;
      return headSize(1 + present(variant.fields, o)) + 1 + headSize(variant.code) + fieldsSize(variant.fields, o, true);
    }
  }
}

/** Encoded size of a whole message (its map, with key 0 = version). */
export function messageSize<T extends MessageType>(type: T, value: MessageTypes[T]): number {
  const o = value as unknown as Record<string, unknown>;
  const fields = MESSAGES[type];
  return headSize(1 + present(fields, o)) + 2 + fieldsSize(fields, o, true);
}

// ------------------------------------------------------------------ messages

function messageArbUnbounded(type: MessageType): fc.Arbitrary<Record<string, unknown>> {
  const plain = fieldsArb(MESSAGES[type], true);
  if (type !== 'envelope') return plain;
  // Envelopes near the size limit: many of the largest events (full health counter
  // maps, long reject reasons), trimmed to fit below.
  const variants = (EVENT as Extract<FieldType, { t: 'variant' }>).variants;
  const big = (name: string): fc.Arbitrary<unknown> => {
    const v = variants.find((x) => x.name === name)!;
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of v.fields) {
      if (f.type.t === 'uintMap') {
        const t = f.type;
        model[f.name] = fc
          .uniqueArray(fc.tuple(uintArb(t.maxKey), arb(t.value)), { selector: (e) => e[0], minLength: t.maxEntries - 4, maxLength: t.maxEntries })
          .map((entries) => Object.fromEntries(entries));
      } else if (f.type.t === 'text') {
        model[f.name] = textArb(f.type.max - 8, f.type.max);
      } else model[f.name] = arb(f.type);
    }
    return fc.record(model).map((o) => ({ kind: v.name, ...o }));
  };
  const heavyEvent = fc.oneof(big('health'), big('config-rejected'), arb(EVENT));
  const heavy = fc.record({
    board: boardIdArb,
    boot: uintArb(0xffffffff),
    seq: uintArb(0xffffffff),
    events: fc.array(heavyEvent, { minLength: 16, maxLength: 64, size: 'max' }),
  });
  return fc.oneof({ arbitrary: plain, weight: 4 }, { arbitrary: heavy, weight: 1 });
}

/** Arbitrary valid message of `type`, at most MAX_MESSAGE_BYTES encoded. */
export function messageArb<T extends MessageType>(type: T): fc.Arbitrary<MessageTypes[T]> {
  return messageArbUnbounded(type)
    .map((v) => {
      const m = v as unknown as MessageTypes[T];
      if (type !== 'envelope') return m;
      const env = m as MessageTypes['envelope'];
      let n = env.events.length;
      const fits = (k: number): boolean => messageSize('envelope', { ...env, events: env.events.slice(0, k) }) <= MAX_MESSAGE_BYTES;
      while (n > 1 && !fits(n)) n--;
      return (n === env.events.length ? m : { ...env, events: env.events.slice(0, n) }) as MessageTypes[T];
    })
    .filter((m) => messageSize(type, m) <= MAX_MESSAGE_BYTES);
}

/** A message type and a valid message of it. */
export const anyMessageArb: fc.Arbitrary<{ type: MessageType; value: unknown }> = fc.oneof(
  ...MESSAGE_TYPES.map((type) => messageArb(type).map((value) => ({ type, value }))),
);
