// The golden vectors against both codecs: the TS codec (cbor-x), and an independent
// path — cborg decodes strictly, the CDDL validator checks the rule, the table maps it
// to the typed value — plus cborg's encoder and the diagnostic printer.
import { readFileSync } from 'node:fs';
import { decode as cborgDecode, encode as cborgEncode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { parseCddl, validate } from '../../protocol/cddl.js';
import { DecodeError, decode, encode, encodeEvent, toDataModel } from '../../protocol/codec.js';
import { diagnose } from '../../protocol/diag.js';
import {
  BOARD_CONFIG,
  CDDL_RULES,
  COMMAND_BODY,
  DECODE_ERRORS,
  EVENT,
  MESSAGE_TYPES,
  type BoardEvent,
  type FieldType,
  type MessageTypes,
} from '../../protocol/schema.js';
import { buildVectorFiles } from '../../protocol/vectors/generate.js';
import { ACCEPTED, INVALID, VALID, VECTORS_DIR, bytes, hexOf } from './golden.js';
import { typedMessage } from './typed.js';

const schema = parseCddl(readFileSync(new URL('../../protocol/pitwall.cddl', import.meta.url), 'utf8'));
/** cborg at its strictest: preferred integers and lengths, no duplicates, indefinite lengths, undefined, NaN or infinities. */
const STRICT = {
  useMaps: true,
  rejectDuplicateMapKeys: true,
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
} as const;

const variantNames = (t: FieldType): string[] => (t.t === 'variant' || t.t === 'variantRecord' ? t.variants.map((v) => v.name) : []);

describe('golden vectors: coverage', () => {
  const envelopes = VALID.filter((v) => v.type === 'envelope').map((v) => v.value as MessageTypes['envelope']);
  const commands = VALID.filter((v) => v.type === 'command').map((v) => v.value as MessageTypes['command']);

  it('has vectors of every message type', () => {
    for (const t of MESSAGE_TYPES) expect(VALID.some((v) => v.type === t), t).toBe(true);
  });
  it('has every event kind, command kind and config kind', () => {
    const events = new Set(envelopes.flatMap((e) => e.events.map((x) => x.kind)));
    expect([...events].sort()).toEqual(variantNames(EVENT).sort());
    expect([...new Set(commands.map((c) => c.body.kind))].sort()).toEqual(variantNames(COMMAND_BODY).sort());
    const configs = commands.flatMap((c) => (c.body.kind === 'config' ? [c.body.config.kind] : []));
    expect([...new Set(configs)].sort()).toEqual(variantNames(BOARD_CONFIG).sort());
  });
  it('has a full batch of 64 events', () => {
    expect(envelopes.some((e) => e.events.length === 64)).toBe(true);
  });
  it('has refusals for every decode error reason', () => {
    const reasons = new Set(INVALID.map((v) => v.reason));
    expect([...reasons].sort()).toEqual(Object.keys(DECODE_ERRORS).sort());
  });
  it('names every vector once', () => {
    const names = [...VALID, ...ACCEPTED, ...INVALID].map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
  });
  it('the committed files are what cases.ts gives (regenerate with protocol/vectors/generate.ts)', () => {
    for (const [name, text] of buildVectorFiles()) {
      expect(readFileSync(new URL(name, VECTORS_DIR), 'utf8'), name).toBe(text);
    }
  });
});

describe('golden vectors: passing size', () => {
  it('a passing with worst-case values is 24 bytes in the event list', () => {
    const max = VALID.find((v) => v.name === 'envelope-passing-max')!.value as MessageTypes['envelope'];
    const event = max.events[0];
    const b = encodeEvent(event);
    expect(b.length).toBe(24);
    expect(VALID.find((v) => v.name === 'envelope-passing-max')!.hex.endsWith(hexOf(b))).toBe(true);
  });
});

describe.each(VALID)('vector $name', (v) => {
  const b = bytes(v.hex);
  it('TS encode gives its bytes', () => {
    expect(hexOf(encode(v.type, v.value as never))).toBe(v.hex);
  });
  it('TS decode gives its value', () => {
    expect(decode(v.type, b)).toStrictEqual(v.value);
  });
  it('cborg (strict) + CDDL + table give its value', () => {
    const generic = cborgDecode(b, STRICT);
    expect(validate(schema, CDDL_RULES[v.type], generic)).toBeNull();
    expect(typedMessage(v.type, generic)).toStrictEqual(v.value);
  });
  it('cborg encodes the same data model to the same bytes', () => {
    expect(hexOf(cborgEncode(toDataModel(v.type, v.value as never)))).toBe(v.hex);
  });
  it('has the diagnostic notation of its bytes', () => {
    expect(diagnose(b)).toBe(v.diag);
  });
});

describe.each(ACCEPTED)('accepted $name', (v) => {
  it('TS decode accepts it and gives its value', () => {
    expect(decode(v.type, bytes(v.hex))).toStrictEqual(v.value);
  });
  it('the CDDL accepts it as cborg reads it (duplicates aside)', () => {
    const generic = cborgDecode(bytes(v.hex), { useMaps: true });
    expect(validate(schema, CDDL_RULES[v.type], generic)).toBeNull();
  });
  it('has the diagnostic notation of its bytes', () => {
    expect(diagnose(bytes(v.hex))).toBe(v.diag);
  });
  it('re-encodes to the preferred form, which decodes to the same value', () => {
    const again = encode(v.type, v.value as never);
    expect(hexOf(again)).not.toBe(v.hex);
    expect(decode(v.type, again)).toStrictEqual(v.value);
  });
});

describe.each(INVALID)('invalid $name', (v) => {
  it(`TS decode refuses it: ${v.reason}`, () => {
    const b = bytes(v.hex);
    let err: unknown;
    try {
      decode(v.type, b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    const d = err as DecodeError;
    expect(d.reason).toBe(v.reason);
    expect(d.code).toBe(v.code);
    expect(d.code).toBe(DECODE_ERRORS[v.reason]);
    expect(d.offset).toBeGreaterThanOrEqual(0);
    expect(d.offset).toBeLessThanOrEqual(Math.max(b.length, 4096));
  });
});

describe('golden vectors: event sizes', () => {
  it('every event of the vectors encodes inside its envelope exactly as encodeEvent gives it', () => {
    for (const v of VALID.filter((x) => x.type === 'envelope')) {
      for (const e of (v.value as MessageTypes['envelope']).events as BoardEvent[]) {
        expect(v.hex.includes(hexOf(encodeEvent(e))), v.name).toBe(true);
      }
    }
  });
});
