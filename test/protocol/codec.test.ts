import { readFileSync } from 'node:fs';
import { decode as cborgDecode, encode as cborgEncode } from 'cborg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCddl, validate } from '../../protocol/cddl.js';
import {
  DecodeError,
  EncodeError,
  decode,
  encode,
  encodeEvent,
  encodedSize,
  toDataModel,
  tryDecode,
} from '../../protocol/codec.js';
import {
  CDDL_RULES,
  MAX_MESSAGE_BYTES,
  MAX_SAFE_TIME_US,
  type BoardEvent,
  type DecodeErrorReason,
  type MessageType,
  type MessageTypes,
} from '../../protocol/schema.js';
import { anyMessage, arbitrary } from './arbitrary.js';
import { VALID, bytes, hexOf } from './golden.js';
import { typedMessage } from './typed.js';
import { EVENT } from '../../protocol/schema.js';

const schema = parseCddl(readFileSync(new URL('../../protocol/pitwall.cddl', import.meta.url), 'utf8'));
const vector = <T extends MessageType>(name: string): MessageTypes[T] => VALID.find((v) => v.name === name)!.value as MessageTypes[T];
const passingEnv = vector<'envelope'>('envelope-passing');
const configCmd = vector<'command'>('command-config-loop-pit-road');
const birth = vector<'birth'>('birth-loop');

function refusal(type: MessageType, b: Uint8Array): DecodeError {
  try {
    decode(type, b);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('accepted');
}

function encodeFailure(type: MessageType, value: unknown): EncodeError {
  try {
    encode(type, value as never);
  } catch (e) {
    if (e instanceof EncodeError) return e;
    throw e;
  }
  throw new Error('encoded');
}

/** The message's data model after `edit`, encoded by cborg (preferred serialization). */
function edited<T extends MessageType>(type: T, value: MessageTypes[T], edit: (m: Map<number, any>) => void): Uint8Array {
  const m = toDataModel(type, value);
  edit(m as Map<number, any>);
  return cborgEncode(m);
}

describe('encode', () => {
  it('writes key 0 = version first and the keys ascending', () => {
    expect(hexOf(encode('death', { board: 'b', boot: 2 }))).toBe('a3' + '0001' + '016162' + '0202');
  });

  it('omits optional fields that are undefined', () => {
    const m = toDataModel('birth', { ...birth, capacities: { outbox: 1, loops: undefined } });
    expect([...(m.get(6) as Map<number, unknown>).keys()]).toEqual([1]);
  });

  it('writes integers beyond 32 bits with integer heads, never floats', () => {
    expect(hexOf(encode('control-state', { timeUs: 2 ** 32, flag: 'green', pitOpen: true }))).toBe(
      'a4' + '0001' + '01' + '1b0000000100000000' + '0201' + '03f5',
    );
    expect(hexOf(encode('control-state', { timeUs: MAX_SAFE_TIME_US, flag: 'none', pitOpen: false }))).toContain('1b001fffffffffffff');
  });

  it('writes uintMap keys ascending whatever the object order', () => {
    const e: BoardEvent = { kind: 'health', timeUs: 1, uptimeS: 2, outboxDepth: 3, counters: { 7: 1, 2: 2, 300: 3 } };
    expect(hexOf(encodeEvent(e))).toBe('850d010203' + 'a3' + '0202' + '0701' + '19012c03');
  });

  it.each<[string, MessageType, unknown, EncodeError['reason'], string]>([
    ['a missing field', 'death', { board: 'a' }, 'missing-field', 'boot'],
    ['a non-integer', 'death', { board: 'a', boot: 1.5 }, 'wrong-type', 'boot'],
    ['a string for a number', 'death', { board: 'a', boot: '1' }, 'wrong-type', 'boot'],
    ['a BigInt for a number', 'death', { board: 'a', boot: 1n }, 'wrong-type', 'boot'],
    ['NaN', 'death', { board: 'a', boot: NaN }, 'wrong-type', 'boot'],
    ['a negative uint', 'death', { board: 'a', boot: -1 }, 'out-of-range', 'boot'],
    ['a uint over its max', 'death', { board: 'a', boot: 2 ** 32 }, 'out-of-range', 'boot'],
    ['a bad board id', 'death', { board: 'A', boot: 1 }, 'out-of-range', 'board'],
    ['a lone surrogate', 'birth', { ...birth, firmware: '1\ud800' }, 'wrong-type', 'firmware'],
    ['too long a text', 'birth', { ...birth, firmware: 'é'.repeat(9) }, 'out-of-range', 'firmware'],
    ['an unknown enum name', 'birth', { ...birth, kind: 'pit' }, 'out-of-range', 'kind'],
    ['an enum code for its name', 'birth', { ...birth, kind: 0 }, 'wrong-type', 'kind'],
    ['no events', 'envelope', { ...passingEnv, events: [] }, 'bad-count', 'events'],
    ['65 events', 'envelope', { ...passingEnv, events: Array(65).fill(passingEnv.events[0]) }, 'bad-count', 'events'],
    ['an unknown event kind', 'envelope', { ...passingEnv, events: [{ kind: 'lap' }] }, 'unknown-kind', 'events[0].kind'],
    ['an event without kind', 'envelope', { ...passingEnv, events: [{ loop: 1 }] }, 'missing-field', 'events[0].kind'],
    [
      'a bad event field',
      'envelope',
      { ...passingEnv, events: [passingEnv.events[0], { ...passingEnv.events[0], timeUs: MAX_SAFE_TIME_US + 1 }] },
      'out-of-range',
      'events[1].timeUs',
    ],
    [
      'three margins',
      'envelope',
      { ...passingEnv, events: [{ ...vector<'envelope'>('envelope-box-verdict').events[0], margins: [1, 2, 3] }] },
      'bad-count',
      'events[0].margins',
    ],
    [
      'a counter key that is not a number',
      'envelope',
      { ...passingEnv, events: [{ kind: 'health', timeUs: 1, uptimeS: 1, outboxDepth: 1, counters: { x: 1 } }] },
      'wrong-type',
      'events[0].counters[x]',
    ],
    [
      'a counter key over u32',
      'envelope',
      { ...passingEnv, events: [{ kind: 'health', timeUs: 1, uptimeS: 1, outboxDepth: 1, counters: { 4294967296: 1 } }] },
      'out-of-range',
      'events[0].counters[4294967296]',
    ],
    [
      '33 counters',
      'envelope',
      {
        ...passingEnv,
        events: [{ kind: 'health', timeUs: 1, uptimeS: 1, outboxDepth: 1, counters: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [i, 0])) }],
      },
      'bad-count',
      'events[0].counters',
    ],
    ['an unknown config kind', 'command', { ...configCmd, body: { kind: 'config', config: { kind: 'gate' } } }, 'unknown-kind', 'body.config.kind'],
    ['a record that is an array', 'birth', { ...birth, capacities: [] }, 'wrong-type', 'capacities'],
    ['null for a message', 'death', null, 'wrong-type', ''],
  ])('refuses %s', (_, type, value, reason, path) => {
    const e = encodeFailure(type, value);
    expect(e.reason).toBe(reason);
    expect(e.path).toBe(path);
  });

  it('refuses a message over the size limit, and honours a caller limit', () => {
    const big: BoardEvent = {
      kind: 'health',
      timeUs: MAX_SAFE_TIME_US,
      uptimeS: 1,
      outboxDepth: 1,
      counters: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [4294967295 - i, 4294967295])),
    };
    const value = { ...passingEnv, events: Array(64).fill(big) };
    expect(encodedSize('envelope', value)).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(encodeFailure('envelope', value).reason).toBe('too-large');
    expect(() => encode('death', { board: 'a', boot: 1 }, { maxBytes: 7 })).toThrow(EncodeError);
    expect(encode('death', { board: 'a', boot: 1 }, { maxBytes: 8 }).length).toBe(8);
  });

  it('returns a plain Uint8Array of its own', () => {
    const a = encode('death', { board: 'a', boot: 1 });
    const b = encode('death', { board: 'b', boot: 2 });
    expect(Object.getPrototypeOf(a)).toBe(Uint8Array.prototype);
    expect(hexOf(a)).toBe('a30001016161' + '0201');
    expect(hexOf(b)).toBe('a30001016162' + '0202');
  });
});

describe('decode', () => {
  it('keeps a leading U+FEFF in text (no byte-order-mark stripping)', () => {
    const v = { ...birth, firmware: '\uFEFF1.0' };
    expect(decode('birth', encode('birth', v)).firmware).toBe('\uFEFF1.0');
  });

  it('gives no property for an absent optional field', () => {
    const v = decode('command', encode('command', { ...configCmd, body: { kind: 'config', config: { ...(configCmd.body as any).config, pitRoad: undefined } } }));
    expect(v.body.kind === 'config' && 'pitRoad' in v.body.config).toBe(false);
    const b = decode('birth', encode('birth', { ...birth, capacities: {} }));
    expect(b.capacities).toStrictEqual({});
  });

  it('reports the path and the offset of the offending item', () => {
    const b = edited('envelope', { ...passingEnv, events: [passingEnv.events[0], passingEnv.events[0]] }, (m) => {
      m.get(4)[1][3] = 2n ** 60n;
    });
    const e = refusal('envelope', b);
    expect(e.reason).toBe('out-of-range');
    expect(e.path).toBe('events[1].timeUs');
    expect(b[e.offset]).toBe(0x1b);
    expect(hexOf(b.subarray(e.offset, e.offset + 9))).toBe('1b1000000000000000');
    expect(e.message).toContain('events[1].timeUs');
  });

  it('reports a missing field at its container', () => {
    const b = edited('command', configCmd, (m) => m.get(3)[1].delete(3));
    const e = refusal('command', b);
    expect(e).toMatchObject({ reason: 'missing-field', path: 'body.config.minHits' });
    expect(b[e.offset] >> 5).toBe(5); // the config map
  });

  it('decodes a message holding a 64-bit negative integer exactly (cbor-x int64AsNumber gets those wrong)', () => {
    // margin written as 0x3b 00000000 80000000 = -2147483649: out of range, not 2147483647
    const verdict = vector<'envelope'>('envelope-box-verdict');
    const good = hexOf(encode('envelope', verdict));
    const bad = good.replace('1878f4', '3b0000000080000000f4');
    expect(refusal('envelope', bytes(bad))).toMatchObject({ reason: 'out-of-range', path: 'events[0].marginMm' });
    const minusOne = good.replace('1878f4', '3b0000000000000000f4');
    expect((decode('envelope', bytes(minusOne)).events[0] as any).marginMm).toBe(-1);
  });

  it('reads keys written with 8-byte heads as the same keys', () => {
    const hex = 'a3' + '1b0000000000000000' + '01' + '1b0000000000000001' + '6161' + '1b0000000000000002' + '3b0000000000000000';
    // key 2's value is -1 (via the exact decoder): wrong type for boot
    expect(refusal('death', bytes(hex))).toMatchObject({ reason: 'wrong-type', path: 'boot' });
    expect(decode('death', bytes(hex.replace(/3b0{16}$/, '05')))).toStrictEqual({ board: 'a', boot: 5 });
  });

  it('honours a caller size limit', () => {
    const b = encode('envelope', passingEnv);
    expect(() => decode('envelope', b, { maxBytes: b.length })).not.toThrow();
    const e = (() => {
      try {
        decode('envelope', b, { maxBytes: b.length - 1 });
      } catch (err) {
        return err as DecodeError;
      }
    })();
    expect(e).toMatchObject({ reason: 'too-large', offset: b.length - 1 });
  });

  it('tryDecode returns the refusal instead of throwing', () => {
    expect(tryDecode('death', encode('death', { board: 'a', boot: 1 }))).toStrictEqual({ ok: true, value: { board: 'a', boot: 1 } });
    const r = tryDecode('death', new Uint8Array([0xff]));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.reason).toBe('malformed');
  });

  it('decodes a message of one type as another only if it fits: a death is not a birth', () => {
    expect(refusal('birth', encode('death', { board: 'a', boot: 1 })).reason).toBe('missing-field');
  });
});

describe('forward compatibility', () => {
  it('ignores map keys it does not know, at every level', () => {
    const b = edited('command', configCmd, (m) => {
      m.set(4, 'added later');
      m.set(1000, new Map([[1, [1, 2]]]));
      m.get(3)[1].set(5, [true]);
    });
    expect(decode('command', b)).toStrictEqual(configCmd);
    const bb = edited('birth', birth, (m) => m.get(6).set(99, 1));
    expect(decode('birth', bb)).toStrictEqual(birth);
  });

  it('ignores array elements past the ones it knows: events, bodies, tuples', () => {
    const env = edited('envelope', passingEnv, (m) => m.get(4)[0].push(7, 'x', [1], new Map(), null));
    expect(decode('envelope', env)).toStrictEqual(passingEnv);
    const cmd = edited('command', configCmd, (m) => {
      m.get(3).push(1);
      m.get(3)[1].get(1)[0].push(1);
      m.get(3)[1].get(4).push(1, 2);
    });
    expect(decode('command', cmd)).toStrictEqual(configCmd);
  });

  it('refuses an unknown event kind, command kind or config kind with unknown-kind', () => {
    const env = edited('envelope', passingEnv, (m) => m.get(4).push([99, 1, 2, 3]));
    expect(refusal('envelope', env)).toMatchObject({ reason: 'unknown-kind', path: 'events[1].kind' });
    const cmd = edited('command', configCmd, (m) => m.set(3, [9]));
    expect(refusal('command', cmd)).toMatchObject({ reason: 'unknown-kind', path: 'body.kind' });
    const cfg = edited('command', configCmd, (m) => m.get(3)[1].set(0, 3));
    expect(refusal('command', cfg)).toMatchObject({ reason: 'unknown-kind', path: 'body.config.kind' });
  });

  it('still refuses unknown keys that are not unsigned integers', () => {
    const b = edited('death', { board: 'a', boot: 1 }, (m) => (m as Map<unknown, unknown>).set('note', 1));
    expect(refusal('death', b).reason).toBe('wrong-type');
  });
});

describe('duplicate keys', () => {
  const death = hexOf(encode('death', { board: 'a', boot: 1 }));
  it('are refused in maps the schema describes, wherever the repeat is', () => {
    expect(refusal('death', bytes('a4' + death.slice(2) + '0100')).reason).toBe('duplicate-key');
    expect(refusal('death', bytes('a5' + death.slice(2) + '0a000a00')).reason).toBe('duplicate-key');
    const repeat = refusal('death', bytes('a4' + death.slice(2) + '1b00000000000000010a'));
    expect(repeat).toMatchObject({ reason: 'duplicate-key', offset: 8 });
  });
  it('are allowed inside ignored content', () => {
    expect(decode('death', bytes('a4' + death.slice(2) + '09' + 'a2' + '0101' + '0102'))).toStrictEqual({ board: 'a', boot: 1 });
  });
  it('are told apart exactly above 2^53', () => {
    // keys 2^60 and 2^60+1 are different keys, even though they are the same JS number
    const two = 'a5' + death.slice(2) + '1b1000000000000000' + '00' + '1b1000000000000001' + '00';
    expect(decode('death', bytes(two))).toStrictEqual({ board: 'a', boot: 1 });
  });
});

describe('properties', () => {
  it('decode(encode(v)) = v, and cborg writes the same bytes from the same data model', () => {
    fc.assert(
      fc.property(anyMessage, ({ type, value }) => {
        const b = encode(type, value as never, { maxBytes: Infinity });
        expect(decode(type, b, { maxBytes: Infinity })).toStrictEqual(value);
        expect(hexOf(cborgEncode(toDataModel(type, value as never)))).toBe(hexOf(b));
      }),
      { numRuns: 2000, seed: 0x5eed },
    );
  });

  it('what the encoder writes, cborg reads strictly and the CDDL accepts, giving the same value', () => {
    fc.assert(
      fc.property(anyMessage, ({ type, value }) => {
        const b = encode(type, value as never, { maxBytes: Infinity });
        const generic = cborgDecode(b, { useMaps: true, strict: true, rejectDuplicateMapKeys: true, allowIndefinite: false });
        expect(validate(schema, CDDL_RULES[type], generic)).toBeNull();
        expect(typedMessage(type, generic)).toStrictEqual(value);
      }),
      { numRuns: 2000, seed: 0xcdd1 },
    );
  });

  it('a passing takes at most 24 bytes in the event list', () => {
    const passing = arbitrary(EVENT).filter((e) => (e as BoardEvent).kind === 'passing');
    fc.assert(
      fc.property(passing, (e) => {
        expect(encodeEvent(e as BoardEvent).length).toBeLessThanOrEqual(24);
      }),
      { numRuns: 500, seed: 24 },
    );
  });

  it('every refusal is a DecodeError with a reason, its code and an offset inside the input', () => {
    const reasons = new Set<DecodeErrorReason>();
    fc.assert(
      fc.property(anyMessage, fc.nat(), fc.nat(255), ({ type, value }, at, byte) => {
        const b = encode(type, value as never, { maxBytes: Infinity });
        const m = b.slice();
        m[at % m.length] = byte;
        const r = tryDecode(type, m, { maxBytes: Infinity });
        if (!r.ok) {
          reasons.add(r.error.reason);
          expect(r.error.offset).toBeGreaterThanOrEqual(0);
          expect(r.error.offset).toBeLessThanOrEqual(m.length);
        }
      }),
      { numRuns: 3000, seed: 7 },
    );
    expect(reasons.size).toBeGreaterThan(5);
  });
});
