// The slot format the firmware codec harness (firmware/harness/codec.ts) exchanges
// values in: a flat list of i64 "slots" plus a byte pool for text, laid out by
// walking the schema table (protocol/schema.ts) in field order.
//
//   uint, int, bool, enum  one slot (bool 0/1, enum its numeric code)
//   text                   one slot, its UTF-8 byte length; the bytes go to the pool
//   list                   a count slot, then the items
//   tuple                  its fields in order
//   record                 per field in table order: a presence slot (0/1) first when
//                          the field is optional, then the value when present
//   uintMap                a count slot, then key, value pairs, keys ascending
//   variant                the code slot, then the variant's fields (tuple style)
//   variantRecord          the code slot, then the variant's fields (record style)
//
// A message is its table's record; the protocol version (key 0) is not in the slots.

import { MESSAGES, type Field, type FieldType, type MessageType, type MessageTypes, type Variant } from '../../protocol/schema.js';

export interface Slots {
  slots: bigint[];
  pool: Uint8Array;
}

const utf8 = new TextEncoder();
// Fatal, and keeping a leading U+FEFF: text round-trips byte for byte.
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function toSlots<T extends MessageType>(type: T, value: MessageTypes[T]): Slots {
  const slots: bigint[] = [];
  const pool: number[] = [];
  putRecord(MESSAGES[type], value as unknown as Record<string, unknown>, slots, pool);
  return { slots, pool: Uint8Array.from(pool) };
}

function putRecord(fields: readonly Field[], v: Record<string, unknown>, slots: bigint[], pool: number[]): void {
  for (const f of fields) {
    const x = v[f.name];
    if (f.optional) {
      slots.push(x === undefined ? 0n : 1n);
      if (x === undefined) continue;
    } else if (x === undefined) {
      throw new Error(`toSlots: ${f.name} is missing`);
    }
    put(f.type, x, slots, pool);
  }
}

function putTuple(fields: readonly Field[], v: Record<string, unknown>, slots: bigint[], pool: number[]): void {
  for (const f of fields) put(f.type, v[f.name], slots, pool);
}

function variantOf(vs: readonly Variant[], v: unknown): Variant {
  const kind = (v as { kind?: unknown }).kind;
  const found = vs.find((x) => x.name === kind);
  if (!found) throw new Error(`toSlots: unknown kind ${String(kind)}`);
  return found;
}

function put(t: FieldType, v: unknown, slots: bigint[], pool: number[]): void {
  switch (t.t) {
    case 'uint':
    case 'int':
      slots.push(BigInt(v as number));
      return;
    case 'bool':
      slots.push(v ? 1n : 0n);
      return;
    case 'enum': {
      const code = t.values[v as string];
      if (code === undefined) throw new Error(`toSlots: ${String(v)} is not an enum value`);
      slots.push(BigInt(code));
      return;
    }
    case 'text': {
      const bytes = utf8.encode(v as string);
      slots.push(BigInt(bytes.length));
      for (const b of bytes) pool.push(b);
      return;
    }
    case 'list': {
      const items = v as unknown[];
      slots.push(BigInt(items.length));
      for (const x of items) put(t.of, x, slots, pool);
      return;
    }
    case 'tuple':
      putTuple(t.fields, v as Record<string, unknown>, slots, pool);
      return;
    case 'record':
      putRecord(t.fields, v as Record<string, unknown>, slots, pool);
      return;
    case 'uintMap': {
      const entries = Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => [Number(k), x] as const)
        .sort((a, b) => a[0] - b[0]);
      slots.push(BigInt(entries.length));
      for (const [k, x] of entries) {
        slots.push(BigInt(k));
        put(t.value, x, slots, pool);
      }
      return;
    }
    case 'variant': {
      const variant = variantOf(t.variants, v);
      slots.push(BigInt(variant.code));
      putTuple(variant.fields, v as Record<string, unknown>, slots, pool);
      return;
    }
    case 'variantRecord': {
      const variant = variantOf(t.variants, v);
      slots.push(BigInt(variant.code));
      putRecord(variant.fields, v as Record<string, unknown>, slots, pool);
      return;
    }
  }
}

/** Reads slots back into a typed value; throws when they do not fit the table. */
export function fromSlots<T extends MessageType>(type: T, slots: readonly bigint[], pool: Uint8Array): MessageTypes[T] {
  const cur = { i: 0, p: 0 };
  const value = getRecord(MESSAGES[type], slots, pool, cur);
  if (cur.i !== slots.length) throw new Error(`fromSlots: ${slots.length - cur.i} slots left over`);
  return value as unknown as MessageTypes[T];
}

interface Cursor {
  i: number;
  p: number;
}

function next(slots: readonly bigint[], cur: Cursor): bigint {
  if (cur.i >= slots.length) throw new Error('fromSlots: ran out of slots');
  return slots[cur.i++];
}

function getRecord(fields: readonly Field[], slots: readonly bigint[], pool: Uint8Array, cur: Cursor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.optional && next(slots, cur) === 0n) continue;
    out[f.name] = get(f.type, slots, pool, cur);
  }
  return out;
}

function getTuple(fields: readonly Field[], slots: readonly bigint[], pool: Uint8Array, cur: Cursor, out: Record<string, unknown>): Record<string, unknown> {
  for (const f of fields) out[f.name] = get(f.type, slots, pool, cur);
  return out;
}

function variantByCode(vs: readonly Variant[], code: bigint): Variant {
  const found = vs.find((x) => BigInt(x.code) === code);
  if (!found) throw new Error(`fromSlots: unknown variant code ${code}`);
  return found;
}

function get(t: FieldType, slots: readonly bigint[], pool: Uint8Array, cur: Cursor): unknown {
  switch (t.t) {
    case 'uint':
    case 'int':
      return Number(next(slots, cur));
    case 'bool':
      return next(slots, cur) !== 0n;
    case 'enum': {
      const code = Number(next(slots, cur));
      const name = Object.keys(t.values).find((k) => t.values[k] === code);
      if (name === undefined) throw new Error(`fromSlots: ${code} is not an enum code`);
      return name;
    }
    case 'text': {
      const n = Number(next(slots, cur));
      if (cur.p + n > pool.length) throw new Error('fromSlots: text runs past the pool');
      const s = utf8Strict.decode(pool.subarray(cur.p, cur.p + n));
      cur.p += n;
      return s;
    }
    case 'list': {
      const n = Number(next(slots, cur));
      const out: unknown[] = [];
      for (let k = 0; k < n; k++) out.push(get(t.of, slots, pool, cur));
      return out;
    }
    case 'tuple':
      return getTuple(t.fields, slots, pool, cur, {});
    case 'record':
      return getRecord(t.fields, slots, pool, cur);
    case 'uintMap': {
      const n = Number(next(slots, cur));
      const out: Record<number, unknown> = {};
      for (let k = 0; k < n; k++) {
        const key = Number(next(slots, cur));
        out[key] = get(t.value, slots, pool, cur);
      }
      return out;
    }
    case 'variant': {
      const variant = variantByCode(t.variants, next(slots, cur));
      return getTuple(variant.fields, slots, pool, cur, { kind: variant.name });
    }
    case 'variantRecord': {
      const variant = variantByCode(t.variants, next(slots, cur));
      return { kind: variant.name, ...getRecord(variant.fields, slots, pool, cur) };
    }
  }
}
