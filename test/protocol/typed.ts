// Test support: the typed value of a message from its generic CBOR data model (as cborg
// decodes it with useMaps), read off the table in schema.ts. Deliberately separate from
// the codec's own reader: it checks nothing (the CDDL validator has already done that),
// so the two paths bytes -> cborg -> CDDL -> here and bytes -> codec meet only at the end.

import { MESSAGES, type FieldType, type Field, type MessageType, type MessageTypes } from '../../protocol/schema.js';

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const get = (m: unknown, key: number): unknown => {
  const map = m as Map<unknown, unknown>;
  return map.has(key) ? map.get(key) : map.get(BigInt(key));
};

function fields(list: readonly Field[], at: (f: Field, i: number) => unknown, out: Record<string, unknown>): Record<string, unknown> {
  list.forEach((f, i) => {
    const x = at(f, i);
    if (x !== undefined) out[f.name] = typed(f.type, x);
  });
  return out;
}

export function typed(t: FieldType, v: unknown): unknown {
  switch (t.t) {
    case 'uint':
    case 'int':
      return num(v);
    case 'bool':
    case 'text':
      return v;
    case 'enum':
      return Object.keys(t.values).find((k) => t.values[k] === num(v));
    case 'list':
      return (v as unknown[]).map((x) => typed(t.of, x));
    case 'tuple':
      return fields(t.fields, (_, i) => (v as unknown[])[i], {});
    case 'record':
      return fields(t.fields, (f) => get(v, f.key!), {});
    case 'uintMap': {
      const out: Record<number, unknown> = {};
      for (const [k, x] of v as Map<unknown, unknown>) out[num(k)] = typed(t.value, x);
      return out;
    }
    case 'variant': {
      const a = v as unknown[];
      const variant = t.variants.find((x) => x.code === num(a[0]))!;
      return fields(variant.fields, (_, i) => a[i + 1], { kind: variant.name });
    }
    case 'variantRecord': {
      const variant = t.variants.find((x) => x.code === num(get(v, t.tagKey)))!;
      return fields(variant.fields, (f) => get(v, f.key!), { kind: variant.name });
    }
  }
}

export function typedMessage<T extends MessageType>(type: T, v: unknown): MessageTypes[T] {
  return typed({ t: 'record', fields: MESSAGES[type] }, v) as MessageTypes[T];
}
